using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Berth.Core.Distribution;

namespace Berth.Core.Retention;

/// <summary>
/// The tags a retention rule (a cleanup rule, a tag immutability rule) applies to: those in repositories matching the
/// <see cref="Repositories"/> glob (<see cref="RepositoryPatterns"/> syntax, <c>**</c> for all) whose name matches the
/// <see cref="TagPattern"/> regular expression (every tag when omitted) and not <see cref="ExcludeTagPattern"/>.
/// Parsed once when the rule is loaded; the expressions run without backtracking, so a hostile pattern can't make a
/// push or a cleanup run slow.
/// </summary>
public sealed class TagSelector
{
    /// <summary>Longest tag pattern accepted: rules are configuration, not data.</summary>
    public const int MaxPatternLength = 256;

    private readonly RepositoryPatterns? _repositories;
    private readonly Regex? _tags;
    private readonly Regex? _excluded;

    private TagSelector(string repositories, RepositoryPatterns? repositoryPatterns, string? tagPattern, Regex? tags, string? excludeTagPattern,
        Regex? excluded)
    {
        Repositories = repositories;
        _repositories = repositoryPatterns;
        TagPattern = tagPattern;
        _tags = tags;
        ExcludeTagPattern = excludeTagPattern;
        _excluded = excluded;
    }

    public string Repositories { get; }

    public string? TagPattern { get; }

    public string? ExcludeTagPattern { get; }

    /// <summary>Whether the rule covers <paramref name="repository"/> at all (a run skips the others without reading their tags).</summary>
    public bool MatchesRepository(string repository) => _repositories is null || _repositories.Matches(repository);

    /// <summary>Whether the rule covers the tag, assuming its repository matches (see <see cref="MatchesRepository"/>).</summary>
    public bool MatchesTag(string tag) => (_tags is null || _tags.IsMatch(tag)) && (_excluded is null || !_excluded.IsMatch(tag));

    public bool Matches(string repository, string tag) => MatchesRepository(repository) && MatchesTag(tag);

    /// <summary>
    /// Parses a rule's selector; <paramref name="error"/> names the offending field (<c>repositories</c>,
    /// <c>tagPattern</c>, <c>excludeTagPattern</c>) when it is not valid. Empty patterns count as omitted.
    /// </summary>
    public static bool TryParse(string? repositories, string? tagPattern, string? excludeTagPattern, [NotNullWhen(true)] out TagSelector? selector,
        [NotNullWhen(false)] out string? error)
    {
        selector = null;
        if (string.IsNullOrEmpty(repositories))
        {
            error = "repositories is required: a repository glob, '**' for every repository";
            return false;
        }

        if (!RepositoryPatterns.TryParse([repositories], out var repositoryPatterns, out var repositoriesError))
        {
            error = "repositories: " + repositoriesError;
            return false;
        }

        if (!TryCompile("tagPattern", tagPattern, out var tags, out error)
            || !TryCompile("excludeTagPattern", excludeTagPattern, out var excluded, out error))
        {
            return false;
        }

        error = null;
        selector = new TagSelector(repositories, repositoryPatterns, NullIfEmpty(tagPattern), tags, NullIfEmpty(excludeTagPattern), excluded);
        return true;
    }

    /// <summary>The rule as people read it, for error messages and audit events.</summary>
    public override string ToString() =>
        $"repositories \"{Repositories}\""
        + (TagPattern is null ? "" : $", tagPattern \"{TagPattern}\"")
        + (ExcludeTagPattern is null ? "" : $", excludeTagPattern \"{ExcludeTagPattern}\"");

    private static bool TryCompile(string field, string? pattern, out Regex? regex, [NotNullWhen(false)] out string? error)
    {
        regex = null;
        error = null;
        if (string.IsNullOrEmpty(pattern))
        {
            return true;
        }

        if (pattern.Length > MaxPatternLength)
        {
            error = $"{field}: at most {MaxPatternLength} characters";
            return false;
        }

        try
        {
            // Tag matching is by name, like ECR's tag filters: unanchored unless the pattern anchors itself ("^v").
            regex = new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.NonBacktracking);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException)
        {
            error = $"{field}: '{pattern}' is not a regular expression this server runs ({ex.Message}); backreferences and lookarounds are not supported";
            return false;
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
