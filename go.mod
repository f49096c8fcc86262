module github.com/experimentos/experimentos

go 1.26.8

require (
	github.com/google/go-github/v62 v62.0.0
	github.com/sethvargo/go-githubactions v1.3.1
	golang.org/x/sys v0.50.0
	gonum.org/v1/gonum v0.17.0
	gopkg.in/yaml.v3 v3.0.1
)

require github.com/google/go-querystring v1.1.0 // indirect
