#!/bin/sh
# mk.sh regenerates the load test corpus: each bad/<case> and good/<case>
# folder is an experiments root. Run from testdata/load.
set -e
rm -rf bad good
Y='name: Home banner
hypothesis: A larger banner lifts checkout conversion
owner: growth-team
start: 2026-11-01
end: 2026-11-14
'
C='variant,users,conversions,guardrail_error
control,10000,1200,35
treatment,10050,1320,33
'
# put DIR YAML CSV: write DIR/experiment.yaml and, unless CSV is empty, DIR/results.csv
put() {
	mkdir -p "$1"
	printf '%s' "$2" > "$1/experiment.yaml"
	if [ -n "$3" ]; then printf '%s' "$3" > "$1/results.csv"; fi
}
# exp CASE YAML CSV: one experiment "exp" in the root CASE
exp() { put "$1/exp" "$2" "$3"; }
csv() { exp "bad/$1" "$Y" "$2"; }
yml() { exp "bad/$1" "$2" "$C"; }

csv empty-csv ''
mkdir -p bad/empty-csv/exp && : > bad/empty-csv/exp/results.csv
csv header-only 'variant,users,conversions,guardrail_error
'
csv duplicate-header 'variant,users,conversions,users
control,10000,1200,10000
treatment,10050,1320,10050
'
csv users-fraction 'variant,users,conversions
control,1.5,1200
treatment,10050,1320
'
csv negative 'variant,users,conversions
control,10000,-1
treatment,10050,1320
'
csv nan 'variant,users,conversions
control,10000,1200
treatment,NaN,1320
'
csv scientific 'variant,users,conversions
control,1e3,120
treatment,10050,1320
'
csv thousands 'variant,users,conversions
control,"1,000",120
treatment,10050,1320
'
csv empty-cell 'variant,users,conversions,guardrail_error
control,10000,,35
treatment,10050,1320,33
'
csv missing-variant 'arm,users,conversions
control,10000,1200
treatment,10050,1320
'
csv duplicate-control 'variant,users,conversions
control,10000,1200
Control,10050,1320
'
csv conversions-exceed 'variant,users,conversions
control,10000,20000
treatment,10050,1320
'
csv users-zero 'variant,users,conversions
control,0,0
treatment,10050,1320
'
csv huge-integer 'variant,users,conversions
control,99999999999999999999999,1200
treatment,10050,1320
'
csv bad-quote 'variant,users,conversions
control,"10000,1200
treatment,10050,1320
'
csv unquoted-thousands 'variant,users,conversions
control,1,000,1200
treatment,10050,1320
'
csv events-auto 'variant,users,conversions,guardrail_clicks
control,10000,1200,25000
treatment,10050,1320,9000
'
mkdir -p bad/nul-bytes/exp bad/invalid-utf8/exp
printf '%s' "$Y" > bad/nul-bytes/exp/experiment.yaml
printf 'variant,users,conversions\ncontrol,10000,1200\ntreat\000ment,10050,1320\n' > bad/nul-bytes/exp/results.csv
printf '%s' "$Y" > bad/invalid-utf8/exp/experiment.yaml
printf 'variant,users,conversions\ncontrol,10000,1200\ntreatment,10050,1320\n\377\376\n' > bad/invalid-utf8/exp/results.csv

exp bad/proportion-above-users "${Y}guardrails:
  - metric: guardrail_error
    type: proportion
" 'variant,users,conversions,guardrail_error
control,10000,1200,20000
treatment,10050,1320,33
'
yml unknown-key 'name: Home banner
hypotesis: A larger banner lifts checkout conversion
'
yml wrong-type "${Y}split: 50
"
yml alpha-2 "${Y}thresholds:
  alpha: 2
"
yml end-before-start 'name: Home banner
start: 2026-11-14
end: 2026-11-01
'
yml yaml-syntax 'name: Home banner
owner: [growth-team
status: running
'
yml guardrail-missing-column "${Y}guardrails:
  - metric: guardrail_error
  - metric: guardrail_latency
    label: Latency
"
yml data-dotdot "${Y}data: ../../etc/passwd
"
yml data-absolute "${Y}data: /etc/passwd
"
yml billion-laughs 'name: Home banner
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
'
yml deep-nesting "name: Home banner
plan: $(printf '[%.0s' $(seq 40))1$(printf ']%.0s' $(seq 40))
"
yml duplicate-key "${Y}name: Other
"
yml bad-status "${Y}status: runing
"
yml bad-date 'name: Home banner
start: 2026-13-01
'
yml srm-order "${Y}thresholds:
  srm_warning_p: 0.001
  srm_blocked_p: 0.01
"
yml severe-below-worsened "${Y}guardrails:
  - metric: guardrail_error
    worsened_threshold: 0.01
    severe_threshold: 0.005
"
yml missing-name 'owner: growth-team
'
yml negative-weight "${Y}split: {control: 50, treatment: -50}
"
yml bad-plan "${Y}plan:
  users_per_arm: 0
"
yml two-documents "${Y}---
name: Second
"
yml quoted-alpha "${Y}thresholds:
  alpha: \"0.05\"
"
exp bad/missing-csv "$Y" ''
put bad/bad-id/Bad_ID "$Y" "$C"
exp bad/repo-broken "$Y" "$C"
printf 'thresholds:\n  alfa: 0.1\n' > bad/repo-broken/experimentos.yaml

# Good cases.
G=good
exp $G/bom "$Y" "$(printf '\357\273\277variant,users,conversions\ncontrol,10000,1200\ntreatment,10050,1320\n')"
mkdir -p $G/crlf/exp
printf '%s' "$Y" > $G/crlf/exp/experiment.yaml
printf 'variant,users,conversions\r\ncontrol,10000,1200\r\ntreatment,10050,1320\r\n\r\n' > $G/crlf/exp/results.csv
exp $G/quoted-numbers "$Y" 'variant,users,conversions
"control","10000"," 1200 "
"treatment","10050","1320"
'
exp $G/integral-decimal "$Y" 'variant,users,conversions
control,10000.0,1200.00
treatment,10050.0,1320
'
exp $G/header-case "$Y" ' Variant ,USERS,  Conversions,Guardrail_Error ,notes
 Control ,10000,1200,35,first
TREATMENT,10050,1320,33,second
'
mkdir -p $G/trailing-blank/exp
printf '%s' "$Y" > $G/trailing-blank/exp/experiment.yaml
printf 'variant,users,conversions\ncontrol,10000,1200\ntreatment,10050,1320\n\n\n  \n,,\n' > $G/trailing-blank/exp/results.csv
put $G/nested/growth/checkout-copy "$Y" "$C"
put $G/nested/home-banner "$Y" "$C"
exp $G/repo-defaults "${Y}thresholds:
  alpha: 0.1
guardrails:
  - metric: guardrail_error
    severe_threshold: 0.01
  - metric: guardrail_cancel
    label: Cancellations
    desired: increase
    worsened_threshold: 0.0005
" 'variant,users,conversions,guardrail_cancel,guardrail_error
control,10000,1200,120,35
treatment,10050,1320,118,33
'
printf 'thresholds:\n  alpha: 0.01\n  min_users: 500\n  ci_method: wald\nguardrail_defaults:\n  desired: decrease\n  worsened_threshold: 0.002\n  severe_threshold: 0.004\n' > $G/repo-defaults/experimentos.yaml
exp $G/planned-header-only "${Y}status: planned
" 'variant,users,conversions
'
exp $G/planned-no-csv "${Y}status: planned
" ''
exp $G/full "name: Home banner redesign
hypothesis: A larger banner lifts checkout conversion
owner: growth-team
start: 2026-11-01
end: 2026-11-14
status: concluded
deployment: rolled_out
data: ../shared/banner.csv
split: {control: 40, treatment: 60}
plan:
  users_per_arm: 20000
  mde: 0.05
primary:
  metric: Checkout
  label: Checkout conversion
  desired: increase
guardrails:
  - metric: guardrail_error
    label: Error rate
    type: auto
    desired: decrease
    worsened_threshold: 0.001
    severe_threshold: 0.003
thresholds:
  alpha: 0.05
  srm_warning_p: 0.001
  srm_blocked_p: 0.00001
  min_users: 100
  ci_method: newcombe
" ''
mkdir -p $G/full/shared
printf 'variant,users,checkout,guardrail_error\ncontrol,10000,1200,35\ntreatment,15000,1900,60\n' > $G/full/shared/banner.csv
