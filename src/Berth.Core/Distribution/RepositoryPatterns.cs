using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Core.Distribution;

/// <summary>
/// The repositories a credential (an access token, a federation rule) is limited to: glob patterns over repository
/// names inside a registry. <c>*</c> matches any run of characters within one path component, <c>**</c> any number of
/// whole components (<c>**</c> alone: every repository). Parsed once when the credential is loaded, so a request
/// only runs the compiled matcher.
/// </summary>
public sealed class RepositoryPatterns
{
    public const int MaxPatterns = 32;

    private readonly Regex _matcher;

    private RepositoryPatterns(IReadOnlyList<string> patterns, Regex matcher)
    {
        Patterns = patterns;
        _matcher = matcher;
        LiteralPrefix = CommonLiteralPrefix(patterns);
    }

    public IReadOnlyList<string> Patterns { get; }

    /// <summary>
    /// The longest text every matching name starts with ("" when the patterns share none): a repository listing can
    /// start there instead of at the first repository.
    /// </summary>
    public string LiteralPrefix { get; }

    public bool Matches(string repository) => _matcher.IsMatch(repository);

    /// <summary>
    /// Parses <paramref name="patterns"/>; a null or empty list means every repository (<paramref name="parsed"/> null).
    /// </summary>
    public static bool TryParse(IReadOnlyList<string>? patterns, out RepositoryPatterns? parsed, out string? error)
    {
        parsed = null;
        error = null;
        if (patterns is null || patterns.Count == 0)
        {
            return true;
        }

        if (patterns.Count > MaxPatterns)
        {
            error = $"at most {MaxPatterns} repository patterns";
            return false;
        }

        var alternatives = new List<string>(patterns.Count);
        foreach (var pattern in patterns)
        {
            if (ToRegex(pattern) is not { } regex)
            {
                error = $"'{pattern}' is not a repository pattern: lowercase repository name components separated by '/', where '*' matches within one component and '**' matches any number of components";
                return false;
            }

            alternatives.Add(regex);
        }

        if (patterns.Contains("**"))
        {
            // Every repository: the same as no limit, so callers need not treat it specially.
            return true;
        }

        parsed = new RepositoryPatterns([.. patterns],
            new Regex("^(?:" + string.Join('|', alternatives) + ")\\z", RegexOptions.CultureInvariant | RegexOptions.NonBacktracking));
        return true;
    }

    /// <summary>One pattern as a regular expression, or null when it isn't one.</summary>
    private static string? ToRegex(string pattern)
    {
        if (string.IsNullOrEmpty(pattern) || pattern.Length > RepositoryName.MaxLength)
        {
            return null;
        }

        var components = pattern.Split('/');
        var regex = new StringBuilder();
        for (var i = 0; i < components.Length; i++)
        {
            var component = components[i];
            var last = i == components.Length - 1;
            if (component == "**")
            {
                // Zero or more whole components, with the separators around them.
                regex.Append(last ? (i == 0 ? ".*" : "(?:/.*)?") : (i == 0 ? "(?:.*/)?" : "(?:/.*)?/"));
                continue;
            }

            if (component.Length == 0 || component.Contains("**", StringComparison.Ordinal))
            {
                return null;
            }

            // The literal parts must be what a repository name may hold; '*' stands for a run of them.
            if (!component.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '.' or '_' or '-' or '*'))
            {
                return null;
            }

            if (i > 0 && components[i - 1] != "**")
            {
                regex.Append('/');
            }

            regex.Append(string.Join("[^/]*", component.Split('*').Select(Regex.Escape)));
        }

        return regex.ToString();
    }

    private static string CommonLiteralPrefix(IReadOnlyList<string> patterns)
    {
        var prefixes = patterns.Select(p => p.IndexOf('*', StringComparison.Ordinal) is var star and >= 0 ? p[..star] : p).ToList();
        var common = prefixes[0];
        foreach (var prefix in prefixes.Skip(1))
        {
            var length = 0;
            while (length < common.Length && length < prefix.Length && common[length] == prefix[length])
            {
                length++;
            }

            common = common[..length];
        }

        return common;
    }
}
