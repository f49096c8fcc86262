package prcomment_test

import (
	"context"
	"fmt"

	"github.com/experimentos/experimentos/internal/githubfake"
	"github.com/experimentos/experimentos/internal/prcomment"
)

// The action keeps one sticky comment per pull request and `path` input:
// the first run creates it, later runs edit it in place.
func ExampleClient_Upsert() {
	gh := githubfake.Start(githubfake.WithToken("ghs_example"))
	defer gh.Close()

	// In the action: prcomment.New(nil, os.Getenv("GITHUB_API_URL"), token, owner, repo).
	c, err := prcomment.New(gh.Client(), gh.URL, "ghs_example", "octo-org", "octo-repo")
	if err != nil {
		panic(err)
	}
	marker := prcomment.Marker("experiments")
	for _, text := range []string{"Hold: 1,200 more users per arm", "Launch: +9.4% conversions"} {
		url, created, err := c.Upsert(context.Background(), 2, marker, marker+"\n"+text)
		if prcomment.IsPermission(err) {
			fmt.Println("warning: cannot comment (read-only token)")
			continue
		}
		if err != nil {
			panic(err)
		}
		fmt.Println(created, url)
	}
	comments := gh.Comments("octo-org", "octo-repo", 2)
	fmt.Printf("%d comment: %q\n", len(comments), comments[0].Body)
	// Output:
	// true https://github.com/octo-org/octo-repo/pull/2#issuecomment-1001
	// false https://github.com/octo-org/octo-repo/pull/2#issuecomment-1001
	// 1 comment: "<!-- experimentos:sticky:experiments -->\nLaunch: +9.4% conversions"
}

func ExampleClient_ChangedFiles() {
	gh := githubfake.Start()
	defer gh.Close()
	gh.SetFiles("octo-org", "octo-repo", 2, []githubfake.File{
		{Filename: "experiments/home-banner/results.csv", Status: "modified"},
		{Filename: "experiments/new/experiment.yaml", PreviousFilename: "experiments/old/experiment.yaml", Status: "renamed"},
	})
	c, err := prcomment.New(gh.Client(), gh.URL, "ghs_example", "octo-org", "octo-repo")
	if err != nil {
		panic(err)
	}
	files, complete, err := c.ChangedFiles(context.Background(), 2)
	if err != nil {
		panic(err)
	}
	for _, f := range files {
		fmt.Printf("%s %s %q\n", f.Status, f.Path, f.PreviousPath)
	}
	fmt.Println("complete:", complete)
	// Output:
	// modified experiments/home-banner/results.csv ""
	// renamed experiments/new/experiment.yaml "experiments/old/experiment.yaml"
	// complete: true
}
