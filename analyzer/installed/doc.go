// Package installed owns what a package manager says is installed in an
// image: where each ecosystem records it (dpkg's status file and distroless
// status.d parts, apk's installed database), how those records are read,
// how each ecosystem orders its versions, and the inventory of the final
// filesystem with the layer that installed each package. An ecosystem is
// one Manager; adding one is adding a file beside dpkg.go and apk.go.
package installed
