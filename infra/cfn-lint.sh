#!/usr/bin/env bash
# cfn-lint over the synthesized template. Ignored rule, and why:
#   W3005  CDK adds DependsOn from a resource to its own IAM role/policy even where a GetAtt already implies it;
#          redundant but harmless, and not ours to change.
set -euo pipefail
template="${1:?usage: infra/cfn-lint.sh cdk.out/<stack>.template.json}"
exec cfn-lint --ignore-checks W3005 -- "$template"
