package location

import (
	"errors"
	"fmt"
	"strings"

	"oras.land/oras-go/v2/registry"
)

// PublishRefs checks where a model is published and returns each location
// with the version as its tag: registryRef is host[:port]/name[:VERSION],
// s3URL s3://bucket/prefix; version defaults to registryRef's tag, and
// must agree with it. Either location may be "", not both. names names
// the three inputs in messages (flags, arguments).
func PublishRefs(registryRef, s3URL, version string, names [3]string) ([]string, error) {
	if registryRef == "" && s3URL == "" {
		return nil, fmt.Errorf("give %s (host[:port]/name:VERSION), %s (s3://bucket/prefix), or both", names[0], names[1])
	}
	var refs []string
	if registryRef != "" {
		ref, err := registry.ParseReference(registryRef)
		if err != nil {
			return nil, fmt.Errorf("%s %q: %w", names[0], registryRef, err)
		}
		if ref.Reference != "" && ref.ValidateReferenceAsTag() != nil {
			return nil, fmt.Errorf("%s %q: the version must be a tag, not a digest", names[0], registryRef)
		}
		switch {
		case version == "":
			version = ref.Reference
		case ref.Reference != "" && ref.Reference != version:
			return nil, fmt.Errorf("%s %q and %s %q name different versions", names[0], registryRef, names[2], version)
		}
		ref.Reference = ""
		refs = append(refs, ref.String())
	}
	if version == "" {
		return nil, fmt.Errorf("no version: give %s, or a tag in %s (host/name:VERSION)", names[2], names[0])
	}
	if err := (registry.Reference{Reference: version}).ValidateReferenceAsTag(); err != nil {
		return nil, errors.New(names[2] + " " + fmt.Sprintf("%q", version) + ": not a valid tag (letters, digits, '_', '.', '-')")
	}
	if s3URL != "" {
		refs = append(refs, strings.TrimSuffix(s3URL, "/"))
	}
	for i := range refs {
		refs[i] += ":" + version
	}
	return refs, nil
}
