package prcomment

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
)

// The reads of docs/review.md#in-the-action: the merge base from the
// compare API, folders and files at that commit from the contents API, and
// the commits that changed a data file. Each is one operation with the
// client's retries, deadline and body bound, like every other call here.

// MaxCommitPages bounds the commits listing of one file (100 a page).
const MaxCommitPages = 10

// MergeBase returns the merge base of base and head:
// GET /repos/{owner}/{repo}/compare/{base}...{head}, merge_base_commit.
func (c *Client) MergeBase(ctx context.Context, base, head string) (string, error) {
	ctx, cancel := c.begin(ctx)
	defer cancel()
	cmp, _, err := c.gh.Repositories.CompareCommits(ctx, c.owner, c.repo, base, head, &github.ListOptions{PerPage: 1})
	if err != nil {
		return "", c.explain(ctx, fmt.Errorf("prcomment: compare %s...%s in %s/%s: %w", short(base), short(head), c.owner, c.repo, err))
	}
	sha := cmp.GetMergeBaseCommit().GetSHA()
	if !isHex(sha) {
		return "", fmt.Errorf("prcomment: compare %s...%s named no merge base commit", short(base), short(head))
	}
	return sha, nil
}

// ErrNotFile is wrapped by ReadFile and ListDir when the answer is not
// what was asked for (a folder, a link, a submodule, a file too large):
// the repository's content, not the API, is at fault.
var ErrNotFile = errors.New("not what the listing said")

// Entry is one name in a folder listing of the contents API. Type is
// "file", "dir", "symlink" or "submodule".
type Entry struct {
	Name, Type string
	Size       int64
}

// ListDir lists the folder dir (relative to the repository) at ref. A
// file where a folder is expected is an error.
func (c *Client) ListDir(ctx context.Context, dir, ref string) ([]Entry, error) {
	ctx, cancel := c.begin(ctx)
	defer cancel()
	file, entries, _, err := c.gh.Repositories.GetContents(ctx, c.owner, c.repo, dir, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, c.explain(ctx, fmt.Errorf("prcomment: list %s at %s: %w", dir, short(ref), err))
	}
	if file != nil {
		return nil, fmt.Errorf("prcomment: list %s at %s: a %s, not a folder: %w", dir, short(ref), file.GetType(), ErrNotFile)
	}
	out := make([]Entry, 0, len(entries))
	for _, e := range entries {
		out = append(out, Entry{Name: e.GetName(), Type: e.GetType(), Size: int64(e.GetSize())})
	}
	return out, nil
}

// ReadFile returns the regular file name (relative to the repository) at
// ref, at most max bytes. A folder, a link (the API follows a link to a
// file: the answer then names another path), a submodule or a larger file
// is an error.
func (c *Client) ReadFile(ctx context.Context, name, ref string, max int64) ([]byte, error) {
	ctx, cancel := c.begin(ctx)
	defer cancel()
	file, _, _, err := c.gh.Repositories.GetContents(ctx, c.owner, c.repo, name, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, c.explain(ctx, fmt.Errorf("prcomment: read %s at %s: %w", name, short(ref), err))
	}
	switch {
	case file == nil:
		return nil, fmt.Errorf("prcomment: read %s at %s: a folder, not a file: %w", name, short(ref), ErrNotFile)
	case file.GetType() != "file":
		return nil, fmt.Errorf("prcomment: read %s at %s: a %s, not a file: %w", name, short(ref), file.GetType(), ErrNotFile)
	case file.GetPath() != name:
		return nil, fmt.Errorf("prcomment: read %s at %s: the answer is %s, another path (a link): %w", name, short(ref), file.GetPath(), ErrNotFile)
	case int64(file.GetSize()) > max:
		return nil, fmt.Errorf("prcomment: read %s at %s: %d bytes, more than %d: %w", name, short(ref), file.GetSize(), max, ErrNotFile)
	}
	s, err := file.GetContent()
	if err != nil {
		return nil, fmt.Errorf("prcomment: read %s at %s: %v: %w", name, short(ref), err, ErrNotFile)
	}
	if int64(len(s)) > max {
		return nil, fmt.Errorf("prcomment: read %s at %s: more than %d bytes: %w", name, short(ref), max, ErrNotFile)
	}
	return []byte(s), nil
}

// Commit is one commit that changed a file.
type Commit struct {
	SHA     string
	Parents int
}

// ErrTooManyCommits is returned by FileCommits past MaxCommitPages.
var ErrTooManyCommits = errors.New("prcomment: more commits than listed")

// FileCommits lists the commits on ref's history that changed name
// (GET /repos/{owner}/{repo}/commits?sha=ref&path=name), newest first,
// at most MaxCommitPages pages; a page that lists nothing new ends it.
func (c *Client) FileCommits(ctx context.Context, name, ref string) ([]Commit, error) {
	ctx, cancel := c.begin(ctx)
	defer cancel()
	opt := &github.CommitsListOptions{SHA: ref, Path: name, ListOptions: github.ListOptions{PerPage: perPage}}
	var out []Commit
	cut, err := listPages(MaxCommitPages, func(n int) ([]*github.RepositoryCommit, *github.Response, error) {
		opt.Page = n
		page, resp, err := c.gh.Repositories.ListCommits(ctx, c.owner, c.repo, opt)
		if err != nil {
			err = c.explain(ctx, fmt.Errorf("prcomment: list commits of %s at %s (page %d): %w", name, short(ref), n, err))
		}
		return page, resp, err
	}, (*github.RepositoryCommit).GetSHA, func(rc *github.RepositoryCommit, sha string) {
		out = append(out, Commit{SHA: sha, Parents: len(rc.Parents)})
	})
	switch {
	case err != nil:
		return nil, err
	case cut:
		return nil, fmt.Errorf("%w: %s changed in more than %d commits", ErrTooManyCommits, name, MaxCommitPages*perPage)
	}
	return out, nil
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}

func isHex(s string) bool {
	if len(s) < 7 || len(s) > 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}
