// Package dockerfile reads a Dockerfile with BuildKit's parser and maps an
// image's history (each layer and each metadata step) to the instructions
// that made it: the stage that produced the image and the stages it builds
// on, ARG and ENV expansion, COPY --from, heredocs and continuations, for
// both the classic builder's and BuildKit's history formats. A step that
// cannot be mapped is reported as such, with its reason; every mapping
// carries its confidence.
package dockerfile
