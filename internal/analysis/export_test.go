package analysis

// NearRel is nearRel for the external tests of this package
// (segments_vectors_test.go): one tolerance for every vector file.
var NearRel = nearRel
