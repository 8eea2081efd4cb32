# The base of the findings images (cmd/strata/e2e_findings_test.go): the
# busybox base of the end-to-end tests plus stand-ins for apt-get and pip,
# which write what the real tools write, where they write it, at fixed
# sizes (see tools/). Built with the legacy builder (DOCKER_BUILDKIT=0).
FROM strata-e2e/base:1
COPY tools/ /usr/local/bin/
