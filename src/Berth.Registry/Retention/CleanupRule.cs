using System.Diagnostics.CodeAnalysis;
using Berth.Api;
using Berth.Core.Retention;

namespace Berth.Registry.Retention;

/// <summary>
/// A validated cleanup rule: the tags it selects (<see cref="Selector"/>) and which of them it keeps; the rest of its
/// selection are deletion candidates (see <see cref="RepositoryCleanup"/>).
/// </summary>
public sealed class CleanupRule
{
    /// <summary>Upper bounds keep the arithmetic on times far from overflowing; nobody keeps more or longer.</summary>
    public const int MaxKeepMostRecent = 1_000_000;

    public const int MaxDays = 36_500;

    private CleanupRule(TagSelector selector, int? keepMostRecent, int? keepPulledWithinDays, int? keepPushedWithinDays)
    {
        Selector = selector;
        KeepMostRecent = keepMostRecent;
        KeepPulledWithinDays = keepPulledWithinDays;
        KeepPushedWithinDays = keepPushedWithinDays;
    }

    public TagSelector Selector { get; }

    public int? KeepMostRecent { get; }

    public int? KeepPulledWithinDays { get; }

    public int? KeepPushedWithinDays { get; }

    /// <summary>Parses a rule; <paramref name="error"/> names the field (prefixed by <paramref name="path"/>, e.g. <c>rules[0]</c>).</summary>
    public static bool TryParse(CleanupRuleView? view, string path, [NotNullWhen(true)] out CleanupRule? rule, [NotNullWhen(false)] out string? error)
    {
        rule = null;
        if (view is null)
        {
            error = $"{path}: a rule object is required";
            return false;
        }

        if (!TagSelector.TryParse(view.Repositories, view.TagPattern, view.ExcludeTagPattern, out var selector, out var selectorError))
        {
            error = $"{path}.{selectorError}";
            return false;
        }

        if (OutOfRange(view.KeepMostRecent, MaxKeepMostRecent, $"{path}.keepMostRecent", out error)
            || OutOfRange(view.KeepPulledWithinDays, MaxDays, $"{path}.keepPulledWithinDays", out error)
            || OutOfRange(view.KeepPushedWithinDays, MaxDays, $"{path}.keepPushedWithinDays", out error))
        {
            return false;
        }

        rule = new CleanupRule(selector, view.KeepMostRecent, view.KeepPulledWithinDays, view.KeepPushedWithinDays);
        return true;
    }

    public CleanupRuleView ToView() =>
        new(Selector.Repositories, Selector.TagPattern, Selector.ExcludeTagPattern, KeepMostRecent, KeepPulledWithinDays, KeepPushedWithinDays);

    private static bool OutOfRange(int? value, int max, string field, [NotNullWhen(true)] out string? error)
    {
        error = value is < 0 || value > max ? $"{field}: must be a whole number from 0 to {max}" : null;
        return error is not null;
    }
}
