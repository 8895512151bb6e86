using System.Text.RegularExpressions;

namespace Berth.Core.Distribution;

/// <summary>Grammar checks for names and references from the OCI distribution spec.</summary>
public static partial class RepositoryName
{
    /// <summary>Longest repository name we accept (Distribution's limit, path components included).</summary>
    public const int MaxLength = 255;

    public static bool IsValid(string? name) =>
        !string.IsNullOrEmpty(name) && name.Length <= MaxLength && NameRegex().IsMatch(name);

    public static bool IsValidTag(string? tag) => !string.IsNullOrEmpty(tag) && TagRegex().IsMatch(tag);

    /// <summary>Throws NAME_INVALID unless the name matches the spec's grammar.</summary>
    public static void Validate(string name)
    {
        if (!IsValid(name))
        {
            throw new OciException(OciErrorCode.NameInvalid, $"invalid repository name '{(name.Length > 100 ? name[..100] + "…" : name)}'");
        }
    }

    // \z, not $: in .NET '$' also matches before a trailing newline, which would let "name\n" through.
    [GeneratedRegex(@"^[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex(@"^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
