using System.Text.RegularExpressions;

namespace Berth.Core.Tenancy;

/// <summary>
/// Registry names are DNS labels (3–63 chars) because they form the endpoint's host or first path segment;
/// project names follow the same rule so they are safe in URLs and CLI arguments.
/// </summary>
public static partial class TenantNames
{
    public static bool IsValidRegistryName(string? name) =>
        name is { Length: >= 3 and <= 63 } && DnsLabel().IsMatch(name);

    public static bool IsValidProjectName(string? name) =>
        name is { Length: >= 3 and <= 63 } && DnsLabel().IsMatch(name);

    public const string Rule = "3–63 characters: lowercase letters, digits and '-', starting and ending with a letter or digit";

    // \z, not $: in .NET '$' also matches before a trailing newline.
    [GeneratedRegex(@"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\z", RegexOptions.CultureInvariant)]
    private static partial Regex DnsLabel();
}
