# Reads `go test -json` events and prints one line for each test that
# skipped, with the reason it gave (its last "file.go:N: ..." output), for
# make test's last line. Package-level skips ("no test files") are not tests.
function field(name,    m) {
  if (match($0, "\"" name "\":\"([^\"\\\\]|\\\\.)*\"")) {
    m = substr($0, RSTART + length(name) + 4, RLENGTH - length(name) - 5)
    gsub(/\\n/, "", m); gsub(/\\t/, " ", m); gsub(/\\"/, "\"", m)
    return m
  }
  return ""
}
/"Action":"output"/ && /"Test":"/ {
  out = field("Output")
  if (out ~ /\.go:[0-9]+: /) { sub(/^ *[^ ]*\.go:[0-9]+: /, "", out); reason[field("Package") "/" field("Test")] = out }
}
/"Action":"skip"/ && /"Test":"/ {
  key = field("Package") "/" field("Test"); pkg = field("Package"); sub(/.*rightsdesk\/rightsdesk\//, "", pkg)
  print field("Test") " (" pkg ")" (reason[key] != "" ? ": " reason[key] : "")
}
