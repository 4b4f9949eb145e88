package app

import (
	"fmt"
	"time"

	"github.com/rightsdesk/rightsdesk/internal/casework"
	"github.com/rightsdesk/rightsdesk/internal/leader"
	"github.com/rightsdesk/rightsdesk/internal/notify"
)

// DigestOff turns the daily digest to staff off (Config.DigestTime).
const DigestOff = "off"

// digestTime reads Config.DigestTime: "HH:MM" on the 24-hour clock, UK
// time, as time since midnight; the default when empty; off reports
// DigestOff.
func digestTime(s string) (at time.Duration, off bool, err error) {
	switch s {
	case "":
		return casework.DefaultDigestTime, false, nil
	case DigestOff:
		return 0, true, nil
	}
	t, err := time.Parse("15:04", s)
	if err != nil || len(s) != len("15:04") {
		return 0, false, fmt.Errorf("--digest-time %q: want a time of day such as 07:00 (UK time), or %s", s, DigestOff)
	}
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute, false, nil
}

// digestJob is the daily digest to staff, sent through the relay the
// letters use; none without a relay or when configured off.
func digestJob(cfg Config, work *casework.Service, staff casework.StaffDirectory, mailer *notify.Mailer, site string) []leader.Job {
	at, off, _ := digestTime(cfg.DigestTime) // New has checked it
	if off || mailer == nil {
		return nil
	}
	log := cfg.Server.Logger
	if log != nil {
		log.Info("daily digest to staff on", "at", fmt.Sprintf("%02d:%02d", int(at.Hours()), int(at.Minutes())%60))
	}
	return []leader.Job{work.DigestJob(staff, newMailSender(mailer, site), casework.DigestOptions{At: at, Site: site, Log: log})}
}
