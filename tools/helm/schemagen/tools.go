package main

// The prometheus-operator API types controller-gen reads (paths=...); imported so that go.mod
// pins their module.
import _ "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
