package awsiam

import (
	"strings"
)

// resourceKind is the resource kind of an ARN pattern: "aws:<service>" plus
// the resource type when the ARN names one ("aws:iam:user", "aws:s3").
func resourceKind(pattern string) string {
	parts := strings.SplitN(pattern, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" || parts[2] == "" || strings.ContainsAny(parts[2], "*?") {
		return "aws"
	}
	kind := "aws:" + parts[2]
	rest := parts[5]
	if i := strings.IndexAny(rest, "/:"); i > 0 && !strings.ContainsAny(rest[:i], "*?") && parts[2] != "s3" {
		kind += ":" + rest[:i]
	}
	return kind
}
