// promql parses PromQL expressions with Prometheus's own parser, for the chart's
// tests: a JSON array of expressions on stdin; on stdout, for each, its parse
// error or the vector selectors it uses (metric name and label matchers).
package main

import (
	"encoding/json"
	"fmt"
	"os"

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

type result struct {
	Error     string     `json:"error,omitempty"`
	Selectors []selector `json:"selectors"`
}

func main() {
	var exprs []string
	if err := json.NewDecoder(os.Stdin).Decode(&exprs); err != nil {
		fmt.Fprintln(os.Stderr, "promql: stdin must be a JSON array of strings:", err)
		os.Exit(2)
	}
	p := parser.NewParser(parser.Options{})
	out := make([]result, len(exprs))
	for i, text := range exprs {
		out[i].Selectors = []selector{}
		expr, err := p.ParseExpr(text)
		if err != nil {
			out[i].Error = err.Error()
			continue
		}
		parser.Inspect(expr, func(n parser.Node, _ []parser.Node) error {
			vs, ok := n.(*parser.VectorSelector)
			if !ok {
				return nil
			}
			s := selector{Metric: vs.Name, Matchers: []matcher{}}
			for _, m := range vs.LabelMatchers {
				if m.Name != "__name__" {
					s.Matchers = append(s.Matchers, matcher{Label: m.Name, Op: m.Type.String(), Value: m.Value})
				}
			}
			out[i].Selectors = append(out[i].Selectors, s)
			return nil
		})
	}
	if err := json.NewEncoder(os.Stdout).Encode(out); err != nil {
		os.Exit(1)
	}
}
