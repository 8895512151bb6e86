using System.Net;

namespace Berth.Registry.Federation;

/// <summary>
/// Which URLs Berth fetches an issuer's discovery document and keys from: HTTPS only (the keys decide who may push),
/// or plain HTTP to a loopback address when <c>Berth:Federation:AllowHttpLoopbackIssuers</c> allows it (tests).
/// </summary>
public static class IssuerUrl
{
    /// <summary>Null when <paramref name="url"/> may be used; else why not.</summary>
    public static string? Check(string url, bool allowHttpLoopback)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.UserInfo.Length > 0 || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            return $"'{url}' is not an absolute URL without credentials, query or fragment";
        }

        if (uri.Scheme == Uri.UriSchemeHttps)
        {
            return null;
        }

        if (uri.Scheme != Uri.UriSchemeHttp)
        {
            return $"'{url}' must be an https:// URL";
        }

        if (!IsLoopback(uri))
        {
            return $"'{url}' must be an https:// URL (plain http is allowed only for loopback issuers in tests)";
        }

        return allowHttpLoopback
            ? null
            : $"'{url}' is a plain http issuer; set Berth:Federation:AllowHttpLoopbackIssuers to true to trust loopback issuers (tests only)";
    }

    private static bool IsLoopback(Uri uri) =>
        uri.IsLoopback && (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase) ||
            (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address)));
}
