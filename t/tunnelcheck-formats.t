#!/bin/bash
# tunnelcheck-formats.t: --format json and --format prometheus against
# fixture servers, for OK, WARNING, CRITICAL and UNKNOWN results.
#  - json: one object on one line that python3's json module parses, with
#    state, exit_code, summary, target, phases, facts, perfdata and
#    long_output, agreeing with a --format nagios -v run of the same check
#    (state and exit code, summary and long output but for the times,
#    perfdata labels and ranges, phases = the time_ perfdata); facts
#    (banner, ssh_software, hostkey, user) from what the server showed;
#    quotes and backslashes in an answer survive; an UNKNOWN at run time
#    is JSON too.
#  - prometheus: promtool check metrics finds nothing to say, and a small
#    parser here checks the exposition grammar (every line a HELP, a TYPE
#    or a sample; label values with only \\ \" \n escapes), one HELP and
#    one TYPE per family before its samples, families contiguous,
#    tunnelcheck_up 1 for OK and 0 otherwise, tunnelcheck_state the exit
#    code, tunnelcheck_phase_seconds one sample per phase that ran (connect
#    among them), every sample labelled with the target, an IPv6 one
#    ("[::1]:port") too; -vvv's log stays out of it.
# The exit code is the same in every format.
# SPDX-License-Identifier: MIT

: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}" "${top_builddir:=$top_srcdir}"
. "$top_srcdir/t/tap/libtap.sh"
. "$top_srcdir/t/tap/fixtures.sh"

TC=$top_builddir/tools/tunnelcheck
fixture_require "$TC" python3 timeout ssh-keygen /usr/bin/promtool
fixture_sshd_start -6 || bail "no sshd"
P=$SSHD_PORT
FP=$(ssh-keygen -lf "$SSHD_DIR/ssh_host_ed25519_key.pub" | awk '{print $2}')
[[ $FP == SHA256:* ]] || bail "no fingerprint from ssh-keygen -lf: $FP"
fixture_tcpserv echo
ECHO=$TCPSERV_PORT
fixture_tcpserv hang
HANG=$TCPSERV_PORT
fixture_tcpserv close -s 'say "hi" \ back'
QUOTE=$TCPSERV_PORT
fixture_free_port
REFUSED=$FIXTURE_PORT
ME=$(id -un)
WRONG=SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA
exec 3<>"/dev/tcp/127.0.0.1/$P" || bail "cannot connect to the sshd"
IFS= read -r -t 10 BANNER <&3
exec 3<&-
BANNER=${BANNER%$'\r'}
SOFTWARE=${BANNER#SSH-2.0-}
SOFTWARE=${SOFTWARE%% *}
[[ $BANNER == SSH-2.0-?* ]] || bail "no SSH identification from the fixture sshd: '$BANNER'"
plan_lazy

# tc NAME ARG...: run tunnelcheck ARG... </dev/null, stdout and stderr into
# T_TMP/NAME.out and NAME.err; sets RC.
tc() {
	local name=$1
	shift
	RC=0
	timeout 30 "$TC" "$@" </dev/null >"$T_TMP/$name.out" 2>"$T_TMP/$name.err" || RC=$?
}

# pycheck DESC PYTHON ARG...: run the python3 program PYTHON with ARG...;
# pass if it exits 0; what it prints is shown on failure.
pycheck() {
	local desc=$1 prog=$2 out rc=0
	shift 2
	out=$(python3 -c "$prog" "$@" 2>&1) || rc=$?
	ok "$desc" test "$rc" = 0 || diag "$out"
}

# The JSON document against the nagios -v run of the same check.
# argv: nagios-out nagios-rc json-out json-rc target facts-json timeout
JSON_PY='
import json, re, sys
nfile, nrc, jfile, jrc, target, facts, timeout = sys.argv[1:8]
nrc, jrc, timeout = int(nrc), int(jrc), float(timeout)
facts = json.loads(facts)
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
raw = open(jfile, "rb").read()
want(raw.endswith(b"\n") and raw.count(b"\n") == 1, "not one line ending in a newline: %r" % raw[:200])
d = json.loads(raw)
nag = open(nfile).read().rstrip("\n").split("\n")
m = re.match(r"TUNNEL (OK|WARNING|CRITICAL|UNKNOWN) - (.*?)(?: \| (.*))?$", nag[0])
want(m is not None, "nagios first line: %r" % nag[0])
nstate, nsummary, nperf = m.group(1), m.group(2), m.group(3) or ""
want(isinstance(d, dict), "not an object")
keys = ["state", "exit_code", "summary", "target", "phases", "facts", "perfdata", "long_output"]
want(sorted(d) == sorted(keys), "keys %s, wanted %s" % (sorted(d), sorted(keys)))
codes = {"OK": 0, "WARNING": 1, "CRITICAL": 2, "UNKNOWN": 3}
want(d["state"] == nstate, "state %r, nagios %r" % (d["state"], nstate))
want(d["exit_code"] == jrc == nrc == codes.get(d["state"]),
     "exit_code %r, exit %d, nagios exit %d, state %r" % (d["exit_code"], jrc, nrc, d["state"]))
t = lambda s: re.sub(r"\d+\.\d+ s\b", "T s", s)
want(t(d["summary"]) == t(nsummary), "summary %r, nagios %r" % (d["summary"], nsummary))
want(d["target"] == target, "target %r, wanted %r" % (d["target"], target))
# Perfdata: the same labels, ranges, min and max as the nagios line.
nitems = re.findall(r"\x27([^\x27]+)\x27=([0-9.]+)([a-z]*);([^; ]*);([^; ]*);([^; ]*);([^; ]*)", nperf)
want(len(nitems) == len(nperf.split()), "nagios perfdata not all parsed: %r" % nperf)
perf = d["perfdata"]
want([p.get("label") for p in perf] == [i[0] for i in nitems],
     "perfdata labels %r, nagios %r" % ([p.get("label") for p in perf], [i[0] for i in nitems]))
for p, (label, v, uom, w, c, lo, hi) in zip(perf, nitems):
    want(sorted(p) == sorted(["label", "value", "uom", "warn", "crit", "min", "max"]), "perfdata keys %r" % sorted(p))
    want(isinstance(p["value"], (int, float)) and 0 <= p["value"] <= timeout + 0.5, "%s value %r" % (label, p["value"]))
    want(p["uom"] == uom == "s", "%s uom %r, nagios %r" % (label, p["uom"], uom))
    want((p["warn"] or "") == w, "%s warn %r, nagios %r" % (label, p["warn"], w))
    want((p["crit"] or "") == c, "%s crit %r, nagios %r" % (label, p["crit"], c))
    want(p["min"] == 0 and lo == "0", "%s min %r, nagios %r" % (label, p["min"], lo))
    want(p["max"] == timeout and float(hi) == timeout, "%s max %r, nagios %r" % (label, p["max"], hi))
# Phases: the time_ perfdata, by phase name.
ph = {p["label"][5:]: p["value"] for p in perf if p["label"].startswith("time_")}
want(d["phases"] == ph, "phases %r, perfdata %r" % (d["phases"], ph))
want("total" in d["phases"], "no total phase")
want(d["facts"] == facts, "facts %r, wanted %r" % (d["facts"], facts))
n = lambda s: re.sub(r"\d+\.\d{6}", "N", s)
want([n(x) for x in d["long_output"]] == [n(x) for x in nag[1:]],
     "long_output %r, nagios -v %r" % (d["long_output"], nag[1:]))
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
'

# json_case DESC EXIT FACTS ARG...: the check ARG... in nagios -v and json:
# exit EXIT both times, nothing on stderr, and the JSON agrees (FACTS: the
# facts object wanted, as JSON).  TARGET (default 127.0.0.1:P) and TIMEOUT
# (10) may be set for the call.  Leaves the document in T_TMP/json.out.
json_case() {
	local desc=$1 want=$2 facts=$3 nrc
	shift 3
	tc nagios "$@" -v
	nrc=$RC
	is_int "$want" "$nrc" "$desc, nagios: exit $want"
	tc json "$@" --format json
	is_int "$want" "$RC" "$desc, json: exit $want"
	is "" "$(cat "$T_TMP/json.err" "$T_TMP/nagios.err")" "$desc: nothing on stderr"
	pycheck "$desc: the JSON parses and agrees with the nagios run" "$JSON_PY" \
		"$T_TMP/nagios.out" "$nrc" "$T_TMP/json.out" "$RC" "${TARGET:-127.0.0.1:$P}" "$facts" \
		"${TIMEOUT:-10}"
}

# jq_ PATH: one value of the last JSON document (python3, not jq).
jq_() {
	python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else v[k]
print(v if isinstance(v, str) else json.dumps(v))' "$T_TMP/json.out" "$1"
}

FACTS_SSH=$(python3 -c 'import json, sys; print(json.dumps({"banner": sys.argv[1], "ssh_software": sys.argv[2]}))' \
	"$BANNER" "$SOFTWARE")
FACTS_KEY=$(python3 -c 'import json, sys; d = json.loads(sys.argv[1]); d["hostkey"] = "ssh-ed25519 " + sys.argv[2]; print(json.dumps(d))' \
	"$FACTS_SSH" "$FP")
FACTS_LOGIN=$(python3 -c 'import json, sys; d = json.loads(sys.argv[1]); d["user"] = sys.argv[2]; print(json.dumps(d))' \
	"$FACTS_KEY" "$ME")

# --- json ----------------------------------------------------------------------------
json_case "OK, --login" 0 "$FACTS_LOGIN" -H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG"
like "^127\\.0\\.0\\.1 port $P: .*, logged in as $ME in [0-9.]+ s\$" "$(jq_ summary)" "OK, --login: the summary"
TARGET=127.0.0.1:$ECHO json_case "OK, TCP connect" 0 '{}' -H 127.0.0.1 -p "$ECHO"
json_case "WARNING, --ssh -w @0:10 -c 100" 1 "$FACTS_SSH" -H 127.0.0.1 -p "$P" --ssh -w @0:10 -c 100
is "@0:10 100" "$(jq_ perfdata.3.warn) $(jq_ perfdata.3.crit)" "WARNING: the total's ranges as given"
json_case "WARNING, --warning-banner" 1 "$FACTS_SSH" -H 127.0.0.1 -p "$P" --ssh --warning-banner @0:100
TARGET=127.0.0.1:$REFUSED
json_case "CRITICAL, a refused port" 2 '{}' -H 127.0.0.1 -p "$REFUSED"
is "connect to 127.0.0.1 port $REFUSED: Connection refused" "$(jq_ summary)" "CRITICAL, refused: the summary"
unset TARGET
json_case "CRITICAL, a wrong --hostkey" 2 "$FACTS_KEY" -H 127.0.0.1 -p "$P" --hostkey "$WRONG"
like "does not match the pinned $WRONG\$" "$(jq_ summary)" "CRITICAL, wrong --hostkey: the summary names the pin"
TARGET=127.0.0.1:$QUOTE
json_case "WARNING, an answer with quotes and a backslash" 1 '{}' -H 127.0.0.1 -p "$QUOTE" --expect bye
like "'say \"hi\" " "$(jq_ summary)" "quotes in the answer survive in the JSON summary"
TARGET=127.0.0.1:$HANG TIMEOUT=1
json_case "UNKNOWN, a timeout with --timeout-state unknown" 3 '{}' \
	-H 127.0.0.1 -p "$HANG" -t 1 --timeout-state unknown
unset TIMEOUT
TARGET="[::1]:$P"
json_case "OK, -H ::1" 0 "$FACTS_SSH" -H ::1 -p "$P" --ssh
unset TARGET
tc json -H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -vvv --format json
is_int 0 "$RC" "--login -vvv --format json: exit 0"
like '"log: [^"]*debug: [^"]*authenticated as ' "$(jq_ long_output)" "-vvv: the log is in long_output"
# A run-time UNKNOWN (an ssh_config that cannot be read) is JSON as well.
tc json -H 127.0.0.1 -p "$P" --login -F "$T_TMP/no-such-config" --format json
is_int 3 "$RC" "--format json, an unreadable ssh_config: exit 3"
pycheck "--format json, an unreadable ssh_config: a JSON document, state UNKNOWN" '
import json, sys
d = json.load(open(sys.argv[1]))
sys.exit(0 if d["state"] == "UNKNOWN" and d["exit_code"] == 3 else 1)' "$T_TMP/json.out"

# --- prometheus ------------------------------------------------------------------------
# argv: file exit target phases (space-separated, "" for none)
PROM_PY='
import math, re, sys
path, rc, target, phases = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].split()
bad = []
def want(cond, what):
    if not cond:
        bad.append(what)
text = open(path, "rb").read().decode("utf-8")
want(text.endswith("\n"), "no newline at the end")
NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LNAME = r"[a-zA-Z_][a-zA-Z0-9_]*"
help_, type_, samples, order = {}, {}, {}, []
def labels(s, lineno):
    out, i = {}, 0
    while i < len(s):
        m = re.compile(LNAME + "=\"").match(s, i)
        if not m:
            bad.append("line %d: bad label at %r" % (lineno, s[i:]))
            return out
        name, i, val = m.group()[:-2], m.end(), ""
        while True:
            if i >= len(s):
                bad.append("line %d: unterminated label value" % lineno)
                return out
            ch = s[i]
            if ch == "\\":
                nx = s[i + 1:i + 2]
                if nx not in ("\\", "\"", "n"):
                    bad.append("line %d: bad escape \\%s" % (lineno, nx))
                val += {"n": "\n"}.get(nx, nx)
                i += 2
            elif ch == "\"":
                i += 1
                break
            elif ch == "\n":
                bad.append("line %d: newline in a label value" % lineno)
                return out
            else:
                val += ch
                i += 1
        want(name not in out, "line %d: label %s twice" % (lineno, name))
        out[name] = val
        if i < len(s):
            if s[i] != ",":
                bad.append("line %d: expected , at %r" % (lineno, s[i:]))
                return out
            i += 1
    return out
cur = None
for n, line in enumerate(text.rstrip("\n").split("\n"), 1):
    m = re.fullmatch(r"# HELP (" + NAME + r") (.*)", line)
    if m:
        f = m.group(1)
        want(f not in help_, "line %d: a second HELP for %s" % (n, f))
        want(f not in samples, "line %d: HELP for %s after its samples" % (n, f))
        help_[f] = m.group(2)
        continue
    m = re.fullmatch(r"# TYPE (" + NAME + r") (counter|gauge|histogram|summary|untyped)", line)
    if m:
        f = m.group(1)
        want(f not in type_, "line %d: a second TYPE for %s" % (n, f))
        want(f not in samples, "line %d: TYPE for %s after its samples" % (n, f))
        type_[f] = m.group(2)
        continue
    m = re.fullmatch(r"(" + NAME + r")(?:\{(.*)\})? (\S+)(?: -?\d+)?", line)
    if not m:
        bad.append("line %d: not HELP, TYPE or a sample: %r" % (n, line))
        continue
    f, lab = m.group(1), labels(m.group(2) or "", n)
    try:
        v = float(m.group(3))
    except ValueError:
        bad.append("line %d: bad value %r" % (n, m.group(3)))
        continue
    want(re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+([eE][-+]?\d+)?|Inf|NaN)", m.group(3)) is not None,
         "line %d: value %r not in the Go float syntax" % (n, m.group(3)))
    want(f in help_ and f in type_, "line %d: sample of %s before its HELP and TYPE" % (n, f))
    if f != cur:
        want(f not in samples, "line %d: family %s not contiguous" % (n, f))
        cur = f
        order.append(f)
    samples.setdefault(f, []).append((lab, v))
    want(lab.get("target") == target, "line %d: target %r, wanted %r" % (n, lab.get("target"), target))
for f in help_:
    want(f in samples, "HELP for %s without samples" % f)
up = samples.get("tunnelcheck_up", [])
want(len(up) == 1 and up[0][1] == (1 if rc == 0 else 0), "tunnelcheck_up %r for exit %d" % (up, rc))
st = samples.get("tunnelcheck_state", [])
want(len(st) == 1 and st[0][1] == rc, "tunnelcheck_state %r for exit %d" % (st, rc))
ps = samples.get("tunnelcheck_phase_seconds", [])
got = [l.get("phase") for l, v in ps]
want(got == phases, "phases %r, wanted %r" % (got, phases))
want(all(0 <= v < 60 for l, v in ps), "phase seconds out of range: %r" % ps)
want(type_.get("tunnelcheck_up") == "gauge" and type_.get("tunnelcheck_state") == "gauge",
     "types %r" % type_)
for b in bad:
    print(b)
sys.exit(1 if bad else 0)
'

# prom_case DESC EXIT TARGET ARG...: the check ARG... in --format
# prometheus exits EXIT with nothing on stderr; promtool and the parser
# above accept it; its phases are those of the same check's nagios
# perfdata (the time_ labels).
prom_case() {
	local desc=$1 want=$2 target=$3 phases out
	shift 3
	tc nagios "$@"
	phases=$(grep -oE "'time_[a-z]+'=" "$T_TMP/nagios.out" | sed "s/'time_//; s/'=//" | paste -sd' ')
	tc prom "$@" --format prometheus
	is_int "$want" "$RC" "$desc: exit $want"
	is "" "$(<"$T_TMP/prom.err")" "$desc: nothing on stderr"
	out=$(promtool check metrics <"$T_TMP/prom.out" 2>&1)
	is "0:" "$?:$out" "$desc: promtool check metrics is content"
	pycheck "$desc: exposition grammar, families, up/state/phase samples" "$PROM_PY" \
		"$T_TMP/prom.out" "$want" "$target" "$phases"
}

prom_case "OK, --login" 0 "127.0.0.1:$P" -H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG"
like $'\ntunnelcheck_phase_seconds\\{target="127\\.0\\.0\\.1:'"$P"$'",phase="connect"\\} [0-9.e+-]+\n' \
	"$(<"$T_TMP/prom.out")" "OK: tunnelcheck_phase_seconds{phase=\"connect\"} is there"
like $'(^|\n)tunnelcheck_up\\{target="127\\.0\\.0\\.1:'"$P"$'"\\} 1\n' "$(<"$T_TMP/prom.out")" \
	"OK: tunnelcheck_up{target=\"127.0.0.1:$P\"} 1"
prom_case "OK, TCP connect" 0 "127.0.0.1:$ECHO" -H 127.0.0.1 -p "$ECHO"
prom_case "WARNING, -w @0:10" 1 "127.0.0.1:$P" -H 127.0.0.1 -p "$P" --ssh -w @0:10
like $'(^|\n)tunnelcheck_up\\{[^}]*\\} 0\n' "$(<"$T_TMP/prom.out")" "WARNING: tunnelcheck_up 0"
like $'(^|\n)tunnelcheck_state\\{[^}]*\\} 1\n' "$(<"$T_TMP/prom.out")" "WARNING: tunnelcheck_state 1"
prom_case "CRITICAL, a refused port" 2 "127.0.0.1:$REFUSED" -H 127.0.0.1 -p "$REFUSED"
prom_case "CRITICAL, a wrong --hostkey" 2 "127.0.0.1:$P" -H 127.0.0.1 -p "$P" --hostkey "$WRONG"
prom_case "UNKNOWN, a timeout with --timeout-state unknown" 3 "127.0.0.1:$HANG" \
	-H 127.0.0.1 -p "$HANG" -t 1 --timeout-state unknown
prom_case "OK, -H ::1 (an IPv6 target label)" 0 "[::1]:$P" -H ::1 -p "$P" --ssh
like $'(^|\n)tunnelcheck_up\\{target="\\[::1\\]:'"$P"$'"\\} 1\n' "$(<"$T_TMP/prom.out")" \
	"IPv6: target=\"[::1]:$P\""
prom_case "CRITICAL, -H ::1 refused" 2 "[::1]:$REFUSED" -H ::1 -p "$REFUSED" --ssh
prom_case "OK, --login -vvv (the log stays out)" 0 "127.0.0.1:$P" \
	-H 127.0.0.1 -p "$P" --login -F "$SSH_CONFIG" -vvv
# A run-time UNKNOWN (an ssh_config that cannot be read) is exposition too.
prom_case "UNKNOWN, an unreadable ssh_config" 3 "127.0.0.1:$P" \
	-H 127.0.0.1 -p "$P" --login -F "$T_TMP/no-such-config"

# --- nagios, said ------------------------------------------------------------------------
tc nagios -H 127.0.0.1 -p "$P" --ssh --format nagios
like "^TUNNEL OK - 127\\.0\\.0\\.1 port $P: SSH-2\\.0-.* \\| 'time_resolve'=" "$(<"$T_TMP/nagios.out")" \
	"--format nagios: the default's line"
is_int 1 "$(grep -c '' "$T_TMP/nagios.out")" "--format nagios: one line"

done_testing
