# Reads `go test -json` events and prints one line for each reason Go tests
# gave for skipping (their last "file.go:N: ..." output), with how many
# skipped for it and which, for make test's last line. Package-level skips
# ("no test files") are not tests.
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
  why = reason[field("Package") "/" field("Test")]
  if (why == "") why = "no reason given"
  if (!(why in count)) order[++reasons] = why
  count[why]++
  test = field("Test"); sub(/\/.*/, "", test)
  if (index(" " names[why] " ", " " test ",") == 0 && index(" " names[why] " ", " " test " ") == 0) names[why] = names[why] (names[why] == "" ? "" : ", ") test
}
END {
  for (i = 1; i <= reasons; i++) print count[order[i]] " Go test" (count[order[i]] == 1 ? "" : "s") " (" names[order[i]] "): " order[i]
}
