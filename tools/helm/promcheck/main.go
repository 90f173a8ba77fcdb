// promcheck reads alert rules and dashboard queries with Prometheus' own parsers, for the chart
// tests (tools/helm/test/observability.test.ts), and says what each query selects:
//
//	promcheck rules < rules.yaml    a `rule_files:` file: checked by rulefmt.Parse as Prometheus
//	                                loads it (fields, durations, PromQL, label and annotation
//	                                templates), then each rule's query analysed
//	promcheck exprs < exprs.json    a JSON array of PromQL expressions, each parsed and analysed
//
// It prints {"errors": [...], "queries": [...]}, one query per rule or expression: every vector
// selector (metric name and label matchers) and every aggregation's grouping labels with the
// metrics it aggregates. Exit 0 when it could read its input, whatever the errors; 2 otherwise.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
)

type matcher struct {
	Label string `json:"label"`
	Op    string `json:"op"`
	Value string `json:"value"`
}

type selector struct {
	Metric   string    `json:"metric"`
	Matchers []matcher `json:"matchers"`
}

type grouping struct {
	Op      string   `json:"op"`
	Labels  []string `json:"labels"`
	Without bool     `json:"without"`
	Metrics []string `json:"metrics"`
}

type query struct {
	Group     string     `json:"group,omitempty"`
	Alert     string     `json:"alert,omitempty"`
	Record    string     `json:"record,omitempty"`
	Expr      string     `json:"expr"`
	Error     string     `json:"error,omitempty"`
	Selectors []selector `json:"selectors"`
	Groupings []grouping `json:"groupings"`
}

type report struct {
	Errors  []string `json:"errors"`
	Queries []query  `json:"queries"`
}

func main() {
	if len(os.Args) != 2 || (os.Args[1] != "rules" && os.Args[1] != "exprs") {
		fail("usage: promcheck rules < rules.yaml | promcheck exprs < exprs.json")
	}
	input, err := io.ReadAll(os.Stdin)
	if err != nil {
		fail("reading stdin: %v", err)
	}
	out := report{Errors: []string{}, Queries: []query{}}
	if os.Args[1] == "rules" {
		groups, errs := rulefmt.Parse(input, false, model.LegacyValidation)
		for _, e := range errs {
			out.Errors = append(out.Errors, e.Error())
		}
		if groups != nil && len(errs) == 0 {
			for _, g := range groups.Groups {
				for _, r := range g.Rules {
					q := analyse(r.Expr)
					q.Group, q.Alert, q.Record = g.Name, r.Alert, r.Record
					out.Queries = append(out.Queries, q)
				}
			}
		}
	} else {
		var exprs []string
		if err := json.Unmarshal(input, &exprs); err != nil {
			fail("stdin is not a JSON array of strings: %v", err)
		}
		for _, e := range exprs {
			q := analyse(e)
			if q.Error != "" {
				out.Errors = append(out.Errors, fmt.Sprintf("%q: %s", e, q.Error))
			}
			out.Queries = append(out.Queries, q)
		}
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fail("writing the report: %v", err)
	}
}

func analyse(expr string) query {
	q := query{Expr: expr, Selectors: []selector{}, Groupings: []grouping{}}
	ast, err := parser.ParseExpr(expr)
	if err != nil {
		q.Error = err.Error()
		return q
	}
	parser.Inspect(ast, func(node parser.Node, _ []parser.Node) error {
		switch n := node.(type) {
		case *parser.VectorSelector:
			q.Selectors = append(q.Selectors, selectorOf(n))
		case *parser.AggregateExpr:
			g := grouping{Op: n.Op.String(), Labels: append([]string{}, n.Grouping...), Without: n.Without, Metrics: []string{}}
			seen := map[string]bool{}
			parser.Inspect(n.Expr, func(inner parser.Node, _ []parser.Node) error {
				if vs, ok := inner.(*parser.VectorSelector); ok && !seen[vs.Name] {
					seen[vs.Name] = true
					g.Metrics = append(g.Metrics, vs.Name)
				}
				return nil
			})
			sort.Strings(g.Metrics)
			q.Groupings = append(q.Groupings, g)
		}
		return nil
	})
	return q
}

func selectorOf(vs *parser.VectorSelector) selector {
	s := selector{Metric: vs.Name, Matchers: []matcher{}}
	for _, m := range vs.LabelMatchers {
		if m.Name == labels.MetricName {
			continue
		}
		s.Matchers = append(s.Matchers, matcher{Label: m.Name, Op: m.Type.String(), Value: m.Value})
	}
	return s
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "promcheck: "+format+"\n", args...)
	os.Exit(2)
}
