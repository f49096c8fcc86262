# ExperimentOS GitHub Action image: two static Go binaries on an empty base
# holding only CA certificates (for api.github.com / GHES over TLS).
# scratch has nothing to patch or pin; the builder names its exact Go
# release and Debian base.
#
# GitHub runs Docker actions as root so that they can write the mounted
# GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files: there is no USER line.
# scripts/chroot-check builds the binary with the same command and runs it
# in an empty folder to prove it needs nothing else; scripts/container-check
# builds this file and runs the image as the runner does (docs/action.md).

# The builder image. GitHub's runner builds with the default; a machine that
# cannot pull it (scripts/container-check) passes a stand-in image holding
# the same Go release. The final stage does not depend on it.
ARG GO_IMAGE=golang:1.26.8-bookworm

FROM ${GO_IMAGE} AS build
WORKDIR /src
# A module proxy other than Go's default, when the build needs one; unset
# (empty, the default) leaves Go's own.
ARG GOPROXY=
# Module downloads in their own layer: cached until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Both commands: experimentos (the entrypoint) and experimentos-action,
# which `experimentos action` runs (docs/action.md#the-image).
RUN CGO_ENABLED=0 go build -trimpath -buildvcs=false -ldflags "-s -w -X main.version=${VERSION}" -o /out/ ./cmd/experimentos ./cmd/experimentos-action

FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/experimentos /out/experimentos-action /
ENTRYPOINT ["/experimentos"]
