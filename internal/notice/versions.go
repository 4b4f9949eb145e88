package notice

import (
	"fmt"

	"github.com/rightsdesk/rightsdesk/internal/fault"
)

// NextVersion returns v numbered as the version that would follow the
// current one, and whether it changes anything. Content is unchanged when v
// has the same source digest as the current version, so re-importing the
// same document adds no version. A version may not take effect before the
// one it follows: InForceOn, which pins a case to the version in force on
// its receipt date, relies on versions being in date order.
func (n *Notice) NextVersion(v Version) (Version, bool, error) {
	v.Number = 1
	if len(n.Versions) > 0 {
		cur := n.Current()
		if v.Source.Digest != "" && v.Source.Digest == cur.Source.Digest {
			return *cur, false, nil
		}
		if v.EffectiveFrom < cur.EffectiveFrom {
			return Version{}, false, &fault.FailedPrecondition{
				Subject: "notices/" + n.ID,
				Description: fmt.Sprintf("the new version would take effect on %s, before version %d (in force from %s); versions must follow one another in date order, so give the date this version applies from",
					v.EffectiveFrom, cur.Number, cur.EffectiveFrom),
			}
		}
		v.Number = cur.Number + 1
	}
	if err := v.Validate(); err != nil {
		return Version{}, false, fault.Invalid("version", "%v", err)
	}
	return v, true, nil
}

// AddVersion appends v as the next version unless it changes nothing; see
// NextVersion. It returns the version now current.
func (n *Notice) AddVersion(v Version) (*Version, bool, error) {
	next, changed, err := n.NextVersion(v)
	switch {
	case err != nil:
		return nil, false, err
	case changed:
		n.Versions = append(n.Versions, next)
	}
	return n.Current(), changed, nil
}
