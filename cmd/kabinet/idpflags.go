package main

import (
	"errors"
	"flag"
	"fmt"
	"strings"
	"time"

	"github.com/kabinet/kabinet/internal/app"
	"github.com/kabinet/kabinet/internal/identity/registry"
)

// registryUsage describes the identity provider's flags of serve and worker.
const registryUsage = `    --registry-url      base URL of the external registries (pension fund, migration service):
                        POST {url}/{registry}/check, the protocol of package registry; env
                        KABINET_REGISTRY_URL. Without it, the embedded reference registry
                        answers with serve --demo or with --registry-persons; otherwise
                        verifications wait, "in progress", for a registry to be configured,
                        and end as "not completed" (send again) after five days
    --registry-cert, --registry-key   client certificate and key (PEM) for mutual TLS; env
                        KABINET_REGISTRY_CERT, KABINET_REGISTRY_KEY
    --registry-ca       CA certificates (PEM) the registry's server certificate must chain to,
                        instead of the system's; env KABINET_REGISTRY_CA
    --registry-timeout  time allowed for each request to a registry (default 10s); env
                        KABINET_REGISTRY_TIMEOUT
    --registry-persons  a persons file (CSV) the reference registry knows besides its own; env
                        KABINET_REGISTRY_PERSONS
    --esign-roots       a directory of the trusted roots (PEM) of qualified certificates, which
                        confirm accounts (IDP-4c); env KABINET_ESIGN_ROOTS. serve --demo without
                        it trusts its demo certification centre
    --esign-crl         revocation lists of those roots, comma-separated (with any, revocation is
                        checked and a stale list refuses); env KABINET_ESIGN_CRL
    --catalogue         a directory of services.json and centres.json that extend the embedded
                        catalogue of services and service centres (a new id is added, a known one
                        replaced; the form of internal/identity/data); env KABINET_CATALOGUE
`

// registryFlags are the values of the identity provider's flags.
type registryFlags struct {
	url, cert, key, ca, persons *string
	esignRoots, esignCRL        *string
	catalogue                   *string
	timeout                     *time.Duration
	envErr                      error
}

// idpFlags adds the identity provider's flags (the external registries, IDP-3) to fs, their
// defaults from the environment (KABINET_REGISTRY_URL …), like senderFlags.
func idpFlags(fs *flag.FlagSet, e *env) *registryFlags {
	get := func(name string) string {
		if e.getenv == nil {
			return ""
		}
		return e.getenv(name)
	}
	f := &registryFlags{}
	f.url = fs.String("registry-url", get("KABINET_REGISTRY_URL"), "base URL of the external registries, https:// (env KABINET_REGISTRY_URL)")
	f.cert = fs.String("registry-cert", get("KABINET_REGISTRY_CERT"), "client certificate (PEM) for the registries' mutual TLS (env KABINET_REGISTRY_CERT)")
	f.key = fs.String("registry-key", get("KABINET_REGISTRY_KEY"), "the client certificate's key (PEM) (env KABINET_REGISTRY_KEY)")
	f.ca = fs.String("registry-ca", get("KABINET_REGISTRY_CA"), "CA certificates (PEM) for the registries' server, instead of the system's (env KABINET_REGISTRY_CA)")
	timeout := 10 * time.Second
	if v := get("KABINET_REGISTRY_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			f.envErr = fmt.Errorf("KABINET_REGISTRY_TIMEOUT: %q is not a positive duration such as 10s", v)
		} else {
			timeout = d
		}
	}
	f.timeout = fs.Duration("registry-timeout", timeout, "time allowed for each request to a registry (env KABINET_REGISTRY_TIMEOUT)")
	f.persons = fs.String("registry-persons", get("KABINET_REGISTRY_PERSONS"), "a persons file (CSV) for the reference registry; selects it without --demo (env KABINET_REGISTRY_PERSONS)")
	f.esignRoots = fs.String("esign-roots", get("KABINET_ESIGN_ROOTS"), "directory of the trusted roots of qualified certificates (env KABINET_ESIGN_ROOTS)")
	f.esignCRL = fs.String("esign-crl", get("KABINET_ESIGN_CRL"), "revocation lists of those roots, comma-separated (env KABINET_ESIGN_CRL)")
	f.catalogue = fs.String("catalogue", get("KABINET_CATALOGUE"), "directory of services.json and centres.json extending the catalogue (env KABINET_CATALOGUE)")
	return f
}

// identity returns the identity provider's configuration from the flags, or what is wrong with
// them.
func (f *registryFlags) identity() (app.Identity, error) {
	if f.envErr != nil {
		return app.Identity{}, f.envErr
	}
	switch {
	case *f.timeout <= 0:
		return app.Identity{}, errors.New("--registry-timeout must be positive")
	case (*f.cert == "") != (*f.key == ""):
		return app.Identity{}, errors.New("--registry-cert and --registry-key go together")
	case *f.url == "" && (*f.cert != "" || *f.ca != ""):
		return app.Identity{}, errors.New("--registry-cert and --registry-ca need --registry-url")
	}
	id := app.Identity{RegistryHTTP: registry.HTTPOptions{URL: *f.url, Timeout: *f.timeout, CertFile: *f.cert, KeyFile: *f.key, CAFile: *f.ca}}
	if *f.persons != "" {
		id.RegistryPersons = []string{*f.persons}
	}
	id.ESignRoots, id.CatalogueDir = *f.esignRoots, *f.catalogue
	for _, c := range strings.Split(*f.esignCRL, ",") {
		if c = strings.TrimSpace(c); c != "" {
			id.ESignCRLs = append(id.ESignCRLs, c)
		}
	}
	if len(id.ESignCRLs) > 0 && id.ESignRoots == "" {
		return app.Identity{}, errors.New("--esign-crl needs --esign-roots")
	}
	return id, nil
}
