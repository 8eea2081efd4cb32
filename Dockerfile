# strata's own container image: one static binary on an empty base, run as
# an unprivileged numeric user, no shell, nothing else.
#
#   docker build -t strata .
#   docker run --rm -v /var/run/docker.sock:/var/run/docker.sock strata IMAGE
#
# The build stage needs a Go toolchain image. Pin it by digest where you
# build (BUILD_IMAGE=golang:1.26.8-bookworm@sha256:...). Where no registry
# can be reached, build one from a local toolchain and pass it with
# --build-arg BUILD_IMAGE=..., and vendor the modules first
# (go mod vendor; --build-arg GOFLAGS=-mod=vendor): docs/container.md shows
# how, and the end-to-end tests do exactly that.
ARG BUILD_IMAGE=golang:1.26.8-bookworm

FROM ${BUILD_IMAGE} AS build
ARG GOFLAGS=""
ARG VERSION=dev
ARG COMMIT=none
ARG DATE=unknown
ENV CGO_ENABLED=0 GOFLAGS=${GOFLAGS} GOCACHE=/tmp/go-cache GOPATH=/tmp/go
WORKDIR /src
COPY . .
RUN go build -trimpath \
      -ldflags "-s -w -X main.version=${VERSION} -X main.commit=${COMMIT} -X main.date=${DATE}" \
      -o /out/rootfs/strata ./cmd/strata && \
    mkdir -p /out/rootfs/tmp /out/rootfs/etc/ssl/certs && \
    chmod 1777 /out/rootfs/tmp && \
    cp /etc/ssl/certs/ca-certificates.crt /out/rootfs/etc/ssl/certs/ && \
    /out/rootfs/strata version

FROM scratch
ARG VERSION=dev
ARG COMMIT=none
ARG DATE=unknown
LABEL org.opencontainers.image.title="strata" \
      org.opencontainers.image.description="Shows what is inside a container image, layer by layer, what is wasted, and how to fix the Dockerfile" \
      org.opencontainers.image.source="https://github.com/stratascan/strata" \
      org.opencontainers.image.licenses="MIT" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${DATE}"
COPY --from=build /out/rootfs/ /
USER 65532:65532
ENV HOME=/tmp
HEALTHCHECK --interval=5m --timeout=10s CMD ["/strata", "version"]
ENTRYPOINT ["/strata"]
CMD ["--help"]
