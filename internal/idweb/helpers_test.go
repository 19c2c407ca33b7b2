package idweb_test

import "github.com/kabinet/kabinet/internal/audit"

func auditActor() audit.Actor {
	return audit.Actor{Login: "mfc1", Role: "operator", RemoteAddr: "10.1.1.1"}
}
