package idweb

import (
	"sync"

	"github.com/kabinet/kabinet/internal/register"
	"github.com/kabinet/kabinet/internal/web"
)

// The citizenship of a profile (IDP-3) is chosen from ОКСМ, the classifier of the world's
// countries that the register keeps, by the country's name in the page's language — nobody is
// asked to know a country's code. The citizenship of a Russian citizen's account comes first;
// the rest follow in the language's alphabetical order (Ё beside Е, Åland among the A).

// russia is the citizenship of a Russian citizen's account (identity.RussianCitizen).
const russia = "RUS"

// citizenships are the choices of a citizenship, made once per language: ОКСМ is read from the
// register's reference data, which a deployment completes before the server starts.
type citizenships struct {
	countries func() []register.Country
	mu        sync.Mutex
	byLang    map[string][]web.Option
}

// options returns the choices in lang (nil without ОКСМ).
func (c *citizenships) options(lang string) []web.Option {
	if c == nil || c.countries == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if opts, ok := c.byLang[lang]; ok {
		return opts
	}
	var opts, home []web.Option
	for _, k := range c.countries() {
		if k.Alpha3 == russia {
			home = append(home, web.Option{Value: k.Alpha3, Label: k.In(lang)})
		} else {
			opts = append(opts, web.Option{Value: k.Alpha3, Label: k.In(lang)})
		}
	}
	web.SortOptions(opts, lang)
	opts = append(home, opts...)
	if c.byLang == nil {
		c.byLang = map[string][]web.Option{}
	}
	c.byLang[lang] = opts
	return opts
}
