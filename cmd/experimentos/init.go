package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/experimentos/experimentos/internal/scaffold"
)

// schemaURL is where editors find the schema when the repository does not
// hold a copy in schema/ beside the experiments root.
const schemaURL = "https://raw.githubusercontent.com/experimentos/experimentos/main/schema/experiment.schema.json"

// runInit scaffolds ROOT/ID: experiment.yaml and a header-only results.csv.
// It never overwrites: an existing folder is a usage error (exit 2) and
// nothing is written.
func runInit(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	fs := newFlagSet("init", stderr)
	root := fs.String("root", "experiments", "the experiments root to create ID under")
	schema := fs.String("schema", "", "the $schema reference written on experiment.yaml's first line (default: schema/experiment.schema.json beside the root, relative, when present; else "+schemaURL+")")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: experimentos init [--root DIR] [--schema REF] ID")
		fs.PrintDefaults()
	}
	pos, err := parseInterleaved(fs, args)
	if err != nil {
		return usageError(err)
	}
	if len(pos) != 1 {
		fmt.Fprintln(stderr, "experimentos init: give exactly one experiment id, such as growth/checkout-copy")
		fs.Usage()
		return exitUsage
	}
	id := pos[0]
	if err := scaffold.CheckID(id); err != nil {
		fmt.Fprintln(stderr, "experimentos init:", err)
		return exitUsage
	}
	ref := *schema
	if ref == "" {
		ref = schemaRef(*root, id)
	}
	c, err := scaffold.Create(*root, id, scaffold.Options{SchemaRef: ref})
	if err != nil {
		fmt.Fprintln(stderr, "experimentos init:", err)
		if errors.Is(err, scaffold.ErrExists) {
			fmt.Fprintf(stderr, "experimentos init: nothing was changed; pick another id or edit %s\n", filepath.ToSlash(filepath.Join(*root, id)))
		}
		return exitUsage
	}
	dir := filepath.ToSlash(filepath.Join(*root, c.Dir))
	fmt.Fprintf(stdout, `Created %[1]s/
  experiment.yaml   every setting, commented with its default (status: planned)
  results.csv       the header only: %[2]s

Next steps:
  1. Edit %[1]s/experiment.yaml: hypothesis, owner, start and end dates,
     the primary metric, guardrails. Your editor checks it against the
     JSON Schema named on its first line.
  2. Check it now (a planned experiment needs no data):
       experimentos check %[1]s
  3. When results arrive, add one row per arm to results.csv (whole
     numbers; add guardrail_* columns for guardrails):
       variant,users,conversions
       control,10000,1200
       treatment,10050,1320
  4. Set "status: running" in experiment.yaml and check again:
       experimentos check %[1]s
  5. Commit and open a pull request: the GitHub Action posts the
     Decision Memo and gates the merge on it.
`, dir, scaffold.CSVHeader[:len(scaffold.CSVHeader)-1])
	return exitOK
}

// schemaRef is the path from ROOT/ID to schema/experiment.schema.json in
// the folder holding ROOT (the repository), when that file exists;
// otherwise the published schema's URL.
func schemaRef(root, id string) string {
	absRoot, err := filepath.Abs(root)
	if err != nil {
		return schemaURL
	}
	file := filepath.Join(filepath.Dir(absRoot), "schema", "experiment.schema.json")
	if _, err := os.Stat(file); err != nil {
		return schemaURL
	}
	rel, err := filepath.Rel(filepath.Join(absRoot, filepath.FromSlash(id)), file)
	if err != nil {
		return schemaURL
	}
	return filepath.ToSlash(rel)
}
