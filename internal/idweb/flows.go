package idweb

import (
	"github.com/kabinet/kabinet/internal/problem"
)

// The site's stored flows (registration, login, recovery) are driven by the kit's web.FlowPages.

func notFound() error { return problem.New(problem.NotFound, problem.MsgNotFound) }
