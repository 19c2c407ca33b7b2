package lkweb

import (
	"github.com/kabinet/kabinet/internal/web"
)

// The site's stored flows (the login, the e-signature, the recovery, the registration) are
// driven by the kit's web.FlowPages.

// input reads the fields of a step from a form, or from a JSON client's flat JSON body.
func input(q *web.Request, names ...string) (map[string]string, error) {
	if err := web.JSONForm(q.W, q.R); err != nil {
		return nil, err
	}
	in := make(map[string]string, len(names))
	for _, n := range names {
		in[n] = q.R.PostFormValue(n)
	}
	return in, nil
}
