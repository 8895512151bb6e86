namespace Berth.Registry.Retention;

/// <summary>A registry's tag immutability rules, numbered in order; a tag is protected when any rule covers it.</summary>
public sealed class ImmutabilityRules
{
    public static readonly ImmutabilityRules None = new([]);

    public ImmutabilityRules(IEnumerable<ImmutabilityRule> rules)
    {
        Rules = [.. rules.Select((rule, i) => rule.Number == i + 1 ? rule : rule.Numbered(i + 1))];
    }

    public IReadOnlyList<ImmutabilityRule> Rules { get; }

    public bool IsEmpty => Rules.Count == 0;

    /// <summary>The first rule protecting the tag, or null when it is mutable.</summary>
    public ImmutabilityRule? Protecting(string repository, string tag)
    {
        foreach (var rule in Rules)
        {
            if (rule.Protects(repository, tag))
            {
                return rule;
            }
        }

        return null;
    }

    /// <summary>Whether any rule covers the repository at all: a repository no rule covers needs no look at its tags.</summary>
    public bool CoversRepository(string repository) => Rules.Any(rule => rule.Selector.MatchesRepository(repository));
}
