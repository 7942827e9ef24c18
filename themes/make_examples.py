#!/usr/bin/env python3
"""Builds themes/examples.csv, the example talk titles of the default taxonomy, from the KubeCon
catalogue (../shared/data/kubecon_catalogue.csv, sched.com sessions 2021-2026).

A title becomes an example of a theme when its words match that theme's pattern and no other
theme's, or several themes' patterns but the track of only one of them. A title matching two themes
whose track names neither (or both) is an example of both ("Cutting the cost of GPU inference"
teaches that such words share out between cost and ML); one matching three or more teaches
nothing and is left out. Its track is a session track (not logistics, office
hours or sponsor slots), and it is not a row of kubecon_talks.csv (the labelled set the classifier
is scored on, so that figure stays held out). Per theme, titles whose track agrees with the theme
come first, then the rest, titles of one theme before those of two; within each group titles are ordered by a hash of the title (a spread
over years and tracks that does not depend on file order), and the first PER_THEME are kept.

Run from the repository root: python3 themes/make_examples.py > themes/examples.csv
"""
import csv
import hashlib
import re
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PER_THEME = 150

PATTERNS = {
    "service-mesh": r"service mesh|\bistio|linkerd|\benvoy|ambient mesh|sidecar|gateway api|\bmesh\b",
    "ml-on-kubernetes": r"\bai\b|\bml\b|\bllms?\b|machine learning|kubeflow|\bgpus?\b|inference|model serving|genai|gen ai|mlops|\bagents?\b|agentic|training|\bray\b|notebooks?",
    "cost": r"\bcosts?\b|finops|spend|\bbill|efficien|sustainab|carbon|energy|\bgreen|kepler|right-?siz",
    "security": r"secur|vulnerab|supply chain|sbom|sigstore|\bcves?\b|attack|zero trust|\bopa\b|kyverno|falco|\brbac|secrets?\b|identity|spiffe|spire|threat|hardening|compliance",
    "observability": r"observab|opentelemetry|\botel\b|prometheus|tracing|\btraces?\b|\bmetrics\b|logging|\blogs\b|monitoring|jaeger|grafana|thanos|cortex|profiling",
    "serverless-events": r"serverless|knative|\bfaas\b|functions?\b|openfaas|event-driven|cloudevents|\bkeda\b|eventing|scale to zero",
    "edge": r"\bedge\b|\biot\b|kubeedge|\bk3s\b|telco|\b5g\b|\bdevices?\b|far edge|akri|robot",
    "platform-devex": r"\bplatforms?\b|\bidps?\b|developers?\b|devex|backstage|golden paths?|self-service|portals?\b|crossplane|abstraction|cognitive load",
    "multi-cloud": r"multi-cloud|multicloud|hybrid|multi-cluster|multicluster|federat|karmada|cluster api|on-prem|across clouds",
    "networking": r"\bnetwork|\bcni\b|\bebpf|cilium|calico|\bdns\b|load balanc|ipv6|kube-proxy|ingress|packets?\b|dual-stack",
    "reliability-sre": r"\bsre\b|reliab|chaos|incident|outage|postmortem|resilien|disaster|high availability|on-call|toil|autoscal|capacity|slos?\b",
    "data-storage": r"storage|databases?\b|stateful|persistent volume|\bcsi\b|postgres|mysql|cassandra|kafka|backups?\b|\brook\b|\bceph|\betcd\b|vitess|data ?lake",
    "migration": r"migrat|legacy|monolith|moderni[sz]|lift and shift|journey|transformation|mainframe|kubevirt|virtual machines|\bvms\b|adopt",
    "gitops-delivery": r"gitops|\bargo|\bflux\b|ci/cd|\bcicd\b|continuous delivery|continuous deployment|pipelines?\b|tekton|progressive delivery|canary|rollouts?\b|\bhelm\b|deployments? strateg",
    "community": r"communit|contribut|maintainers?\b|open source|diversity|inclusi|mentor|newcomer|career|burnout|governance|\bcncf\b|neurodiver|allyship",
    "containers-runtime": r"container runtime|containerd|cri-o|\brunc\b|gvisor|\bkata\b|container images?|\bimages?\b|docker|\boci\b|cgroups?|sandbox|webassembly|\bwasm|registry|registries",
}

# Raw catalogue tracks (lower-case prefixes) that agree with a theme.
TRACKS = {
    "service-mesh": ["service mesh"],
    "ml-on-kubernetes": ["ai + ml", "machine learning"],
    "cost": [],
    "security": ["security"],
    "observability": ["observability"],
    "serverless-events": ["serverless"],
    "edge": ["networking + edge"],
    "platform-devex": ["platform engineering"],
    "multi-cloud": [],
    "networking": ["networking", "connectivity"],
    "reliability-sre": ["reliability", "operations"],
    "data-storage": ["storage", "data processing"],
    "migration": [],
    "gitops-delivery": ["application", "sdlc"],
    "community": ["community", "diversity", "inclusion", "wellness"],
    "containers-runtime": ["runtime"],
}

NOT_SESSIONS = re.compile(
    r"registration|badge|office hours|project meeting|opportunities|sponsor|solutions showcase|"
    r"covid|wrap up|pick-up|hackathon|capture the flag|pavilion|startup|poster",
    re.I,
)


# Labels the catalogue puts before a title; they say what kind of session it is, not what about.
SESSION_LABEL = re.compile(
    r"^(?:(?:canceled|⚡ ?lightning talk|sponsored keynote|keynote|📚 ?tutorial|tutorial|"
    r"🚨 ?contribfest|panel(?: discussion)?|learning lounge|ask the experts)\s*:\s*)+",
    re.I,
)


def main():
    scored = {r["title"].strip().lower() for r in csv.DictReader(open(DATA / "kubecon_talks.csv"))}
    compiled = {t: re.compile(p, re.I) for t, p in PATTERNS.items()}
    seen = set()
    candidates = {t: [] for t in PATTERNS}
    for row in csv.DictReader(open(DATA / "kubecon_catalogue.csv")):
        if row["title"].strip().lower() in scored:
            continue
        title = SESSION_LABEL.sub("", " ".join(row["title"].split()))
        key = title.lower()
        if key in seen or NOT_SESSIONS.search(row["track"]) or len(title) < 12:
            continue
        seen.add(key)
        track = row["track"].lower()
        matched = [t for t, p in compiled.items() if p.search(title)]
        agreeing = [t for t in matched if any(track.startswith(p) for p in TRACKS[t])]
        if len(matched) == 1:
            themes = matched
        elif len(agreeing) == 1:
            themes = agreeing
        elif len(matched) == 2:
            themes = matched
        else:
            continue
        order = hashlib.sha256(title.encode()).hexdigest()
        for theme in themes:
            candidates[theme].append((theme not in agreeing, len(themes), order, title, row))
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["theme", "title", "source"])
    for theme in PATTERNS:
        for _, _, _, title, row in sorted(candidates[theme])[:PER_THEME]:
            source = f"kubecon_catalogue.csv: {row['conference']} {row['year']}, track {row['track']}"
            out.writerow([theme, title, source])
        print(f"{theme}: {len(candidates[theme])} candidates", file=sys.stderr)


if __name__ == "__main__":
    main()
