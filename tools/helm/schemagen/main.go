// Command schemagen writes the JSON schemas kubeconform validates the chart against, offline:
// the Kubernetes kinds from the OpenAPI definitions openapi-gen generated from k8s.io/api
// (package ./generated), and the prometheus-operator kinds from the CRDs controller-gen
// generated from its Go types. Output: <out>/<kind>-<group>-<version>.json, "standalone
// strict" like kubeconform's default registry: every $ref inlined, and additionalProperties
// false on every object that lists its properties, so an unknown or misspelt field fails.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"k8s.io/kube-openapi/pkg/validation/spec"
	"sigs.k8s.io/yaml"

	"threadcast/tools/helm/schemagen/generated"
)

// apiVersions maps an OpenAPI model package to the apiVersion of its kinds.
var apiVersions = map[string]string{
	"io.k8s.api.core.v1.":        "v1",
	"io.k8s.api.apps.v1.":        "apps/v1",
	"io.k8s.api.autoscaling.v2.": "autoscaling/v2",
	"io.k8s.api.policy.v1.":      "policy/v1",
	"io.k8s.api.networking.v1.":  "networking.k8s.io/v1",
	"io.k8s.api.batch.v1.":       "batch/v1",
}

func main() {
	out := flag.String("out", "", "directory to write the schemas to")
	crdDir := flag.String("crds", "", "directory of CustomResourceDefinition YAML files")
	flag.Parse()
	if *out == "" {
		fail(fmt.Errorf("-out is required"))
	}
	if err := os.MkdirAll(*out, 0o755); err != nil {
		fail(err)
	}
	n, err := writeBuiltins(*out)
	if err != nil {
		fail(err)
	}
	m := 0
	if *crdDir != "" {
		if m, err = writeCRDs(*crdDir, *out); err != nil {
			fail(err)
		}
	}
	fmt.Printf("schemagen: %d Kubernetes and %d custom resource schemas in %s\n", n, m, *out)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "schemagen:", err)
	os.Exit(1)
}

func writeBuiltins(out string) (int, error) {
	defs := generated.GetOpenAPIDefinitions(func(name string) spec.Ref {
		return spec.MustCreateRef("#/definitions/" + name)
	})
	raw := map[string]any{}
	for name, def := range defs {
		v, err := toMap(def.Schema)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", name, err)
		}
		raw[name] = v
	}
	in := &inliner{defs: raw, done: map[string]any{}, busy: map[string]bool{}}
	names := make([]string, 0, len(defs))
	for name := range defs {
		names = append(names, name)
	}
	sort.Strings(names)
	n := 0
	for _, name := range names {
		apiVersion, kind := gvkOf(name, raw[name])
		if apiVersion == "" {
			continue
		}
		s, err := in.resolve(name)
		if err != nil {
			return n, err
		}
		if err := writeSchema(out, apiVersion, kind, s.(map[string]any)); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// gvkOf: a top-level kind is a model of a known package with apiVersion, kind and metadata.
func gvkOf(name string, s any) (string, string) {
	for prefix, apiVersion := range apiVersions {
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		kind := strings.TrimPrefix(name, prefix)
		props, _ := s.(map[string]any)["properties"].(map[string]any)
		if props["apiVersion"] != nil && props["kind"] != nil && props["metadata"] != nil {
			return apiVersion, kind
		}
	}
	return "", ""
}

type inliner struct {
	defs map[string]any
	done map[string]any
	busy map[string]bool
}

func (in *inliner) resolve(name string) (any, error) {
	if s, ok := in.done[name]; ok {
		return s, nil
	}
	if in.busy[name] {
		return nil, fmt.Errorf("%s refers to itself; a standalone schema cannot inline it", name)
	}
	def, ok := in.defs[name]
	if !ok {
		return nil, fmt.Errorf("no definition for %s (add its package to openapi-gen's list)", name)
	}
	in.busy[name] = true
	s, err := in.walk(def)
	delete(in.busy, name)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	in.done[name] = s
	return s, nil
}

// walk copies a schema with every $ref replaced by its (transformed) definition.
func (in *inliner) walk(v any) (any, error) {
	switch t := v.(type) {
	case map[string]any:
		if ref, ok := t["$ref"].(string); ok {
			return in.resolve(strings.TrimPrefix(ref, "#/definitions/"))
		}
		c := map[string]any{}
		for k, e := range t {
			if strings.HasPrefix(k, "x-") {
				continue // vendor extensions: no validation meaning here
			}
			w, err := in.walk(e)
			if err != nil {
				return nil, err
			}
			c[k] = w
		}
		strict(c, t)
		return c, nil
	case []any:
		c := make([]any, len(t))
		for i, e := range t {
			w, err := in.walk(e)
			if err != nil {
				return nil, err
			}
			c[i] = w
		}
		return c, nil
	default:
		return v, nil
	}
}

// strict forbids properties an object does not list (the original may carry
// x-kubernetes-preserve-unknown-fields, which keeps it open).
func strict(c, orig map[string]any) {
	if _, has := c["properties"]; !has {
		return
	}
	if _, has := c["additionalProperties"]; has {
		return
	}
	if orig["x-kubernetes-preserve-unknown-fields"] == true {
		return
	}
	c["additionalProperties"] = false
}

func writeCRDs(dir, out string) (int, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return 0, err
	}
	sort.Strings(files)
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return n, err
		}
		var crd struct {
			Spec struct {
				Group string `json:"group"`
				Names struct {
					Kind string `json:"kind"`
				} `json:"names"`
				Versions []struct {
					Name   string `json:"name"`
					Served bool   `json:"served"`
					Schema struct {
						OpenAPIV3Schema map[string]any `json:"openAPIV3Schema"`
					} `json:"schema"`
				} `json:"versions"`
			} `json:"spec"`
		}
		if err := yaml.Unmarshal(b, &crd); err != nil {
			return n, fmt.Errorf("%s: %w", f, err)
		}
		in := &inliner{defs: map[string]any{}, done: map[string]any{}, busy: map[string]bool{}}
		for _, v := range crd.Spec.Versions {
			if !v.Served || v.Schema.OpenAPIV3Schema == nil {
				continue
			}
			s, err := in.walk(v.Schema.OpenAPIV3Schema)
			if err != nil {
				return n, fmt.Errorf("%s: %w", f, err)
			}
			if err := writeSchema(out, crd.Spec.Group+"/"+v.Name, crd.Spec.Names.Kind, s.(map[string]any)); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// writeSchema pins apiVersion and kind and names the file as kubeconform looks it up:
// <kind>-<first label of the group>-<version>.json, or <kind>-<version>.json for the core group.
func writeSchema(out, apiVersion, kind string, s map[string]any) error {
	props, _ := s["properties"].(map[string]any)
	if props == nil {
		return fmt.Errorf("%s %s has no properties", apiVersion, kind)
	}
	props["apiVersion"] = map[string]any{"type": "string", "enum": []any{apiVersion}}
	props["kind"] = map[string]any{"type": "string", "enum": []any{kind}}
	s["required"] = union(s["required"], "apiVersion", "kind")
	group, version, found := strings.Cut(apiVersion, "/")
	suffix := "-" + strings.ToLower(strings.Split(group, ".")[0])
	if found {
		suffix += "-" + strings.ToLower(version)
	}
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(out, strings.ToLower(kind)+suffix+".json"), b, 0o644)
}

func union(v any, extra ...string) []any {
	seen := map[string]bool{}
	var r []any
	list, _ := v.([]any)
	for _, e := range list {
		if s, ok := e.(string); ok && !seen[s] {
			seen[s] = true
			r = append(r, s)
		}
	}
	for _, s := range extra {
		if !seen[s] {
			seen[s] = true
			r = append(r, s)
		}
	}
	return r
}

func toMap(s spec.Schema) (any, error) {
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	var v any
	return v, json.Unmarshal(b, &v)
}
