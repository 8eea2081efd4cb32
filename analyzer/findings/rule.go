package findings

// Rule describes one rule: what it looks for and how bad that is by default.
type Rule struct {
	// ID is the stable slug ("apt-lists").
	ID string `json:"id"`
	// Category and Severity are the defaults of its findings.
	Category Category `json:"category"`
	Severity Severity `json:"severity"`
	// Title says in one line what is wrong.
	Title string `json:"title"`
	// References name linter rules and benchmarks that check the same.
	References []string `json:"references,omitempty"`
	// Hint is the concrete Dockerfile change that fixes it.
	Hint string `json:"hint"`
}

// The slugs of the rules that other code refers to by name.
const (
	RulePrivateKey       = "private-key"
	RuleCloudCredentials = "cloud-credentials"
	RuleAPIToken         = "api-token"
	RuleCredentialsFile  = "credentials-file"
	RuleEnvFile          = "env-file"
)

// Rules returns every rule, in the order docs/rules.md lists them.
func Rules() []Rule {
	out := make([]Rule, 0, len(catalog))
	for _, r := range catalog {
		out = append(out, *r)
	}
	return out
}

// RuleByID returns the rule with the given slug.
func RuleByID(id string) (Rule, bool) {
	for _, r := range catalog {
		if r.ID == id {
			return *r, true
		}
	}
	return Rule{}, false
}

// catalog lists the rules in documentation order.
var catalog = concat(
	wasteRules,
	cacheCatalog(),
	leftoverRules,
	secretRules,
	securityRules,
	configRules,
)

func concat(groups ...[]*Rule) []*Rule {
	var out []*Rule
	for _, g := range groups {
		out = append(out, g...)
	}
	return out
}
