using System.Diagnostics.CodeAnalysis;
using Berth.Core.Retention;

namespace Berth.Registry.Retention;

/// <summary>
/// One tag immutability rule: the tags its <see cref="TagSelector"/> covers can be created but never moved to another
/// manifest or deleted. <see cref="Number"/> is its position in the registry's rules (1 first), which refusals quote.
/// </summary>
public sealed class ImmutabilityRule
{
    private ImmutabilityRule(TagSelector selector, int number)
    {
        Selector = selector;
        Number = number;
    }

    public TagSelector Selector { get; }

    /// <summary>1-based position among the registry's rules; 0 for a rule not (yet) part of a rule set.</summary>
    public int Number { get; }

    public string Repositories => Selector.Repositories;

    public string? TagPattern => Selector.TagPattern;

    public string? ExcludeTagPattern => Selector.ExcludeTagPattern;

    public bool Protects(string repository, string tag) => Selector.Matches(repository, tag);

    /// <summary>Parses a rule; <paramref name="error"/> starts with the offending field's name.</summary>
    public static bool TryParse(string? repositories, string? tagPattern, string? excludeTagPattern, [NotNullWhen(true)] out ImmutabilityRule? rule,
        [NotNullWhen(false)] out string? error)
    {
        rule = TagSelector.TryParse(repositories, tagPattern, excludeTagPattern, out var selector, out error) ? new ImmutabilityRule(selector, 0) : null;
        return rule is not null;
    }

    internal ImmutabilityRule Numbered(int number) => new(Selector, number);

    /// <summary>The rule as refusals and audit events quote it: <c>rule 1: repositories "**", tagPattern ".*"</c>.</summary>
    public override string ToString() => Number > 0 ? $"rule {Number}: {Selector}" : Selector.ToString();
}
