# ExperimentOS GitHub Action image: a static Go binary on an empty base
# holding only CA certificates (for api.github.com / GHES over TLS).
# scratch has nothing to patch or pin; the builder names its exact Go
# release and Debian base.
#
# GitHub runs Docker actions as root so that they can write the mounted
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files: there is no USER line.
# scripts/chroot-check builds the binary with the same command and runs it
# in an empty folder to prove it needs nothing else.

FROM golang:1.26.8-bookworm AS build
WORKDIR /src
# Module downloads in their own layer: cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=${VERSION}" -o /out/experimentos ./cmd/experimentos

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/experimentos /experimentos
ENTRYPOINT ["/experimentos"]
