package bench

import "fmt"

func fmtSscan(s string, state *string, x *[12]int64, u, st *int64) (int, error) {
	return fmt.Sscan(s, state, &x[0], &x[1], &x[2], &x[3], &x[4], &x[5], &x[6], &x[7], &x[8], &x[9], &x[10], u, st)
}
