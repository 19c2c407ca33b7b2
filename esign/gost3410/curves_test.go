package gost3410

import "testing"

// Every parameter set: the base point lies on the curve and has order q (q·G = ∞), and the
// cofactor times q is within the Hasse bound of p + 1.
func TestCurves(t *testing.T) {
	for _, c := range Curves() {
		if !c.IsOnCurve(c.X, c.Y) {
			t.Errorf("%s: base point not on the curve", c.Name)
		}
		if p := c.ladder(c.lift(c.X, c.Y), c.Q); p.z.Sign() != 0 {
			t.Errorf("%s: q·G is not infinity", c.Name)
		}
		if got, ok := CurveByOID(c.OID); !ok || got != c {
			t.Errorf("%s: CurveByOID", c.Name)
		}
		if c.P.BitLen() > 8*c.Size {
			t.Errorf("%s: size", c.Name)
		}
	}
}

// The named parameter sets are the curves of their OIDs; 256-bit paramSetB has the parameters of
// CryptoPro-A and is known by its OID.
func TestNamedCurves(t *testing.T) {
	for _, c := range []struct {
		curve *Curve
		oid   string
	}{
		{Curve256A(), "1.2.643.7.1.2.1.1.1"},
		{Curve256B(), "1.2.643.2.2.35.1"},
		{Curve512A(), "1.2.643.7.1.2.1.2.1"},
	} {
		if got := c.curve.OID.String(); got != c.oid {
			t.Errorf("%s: OID %s, want %s", c.curve.Name, got, c.oid)
		}
	}
}
