using System.Net.Http.Headers;
using System.Text;

namespace Berth.Registry;

/// <summary>
/// Reads the Authorization header: Basic user/password or a Bearer token. Beside the feature folders: Auth reads
/// registry and user credentials with it, Observability the <c>/metrics</c> scraper's token.
/// </summary>
public static class RequestCredentials
{
    public static bool TryGetBasic(HttpRequest request, out string username, out string password)
    {
        username = password = "";
        if (!AuthenticationHeaderValue.TryParse(request.Headers.Authorization.ToString(), out var header) ||
            !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase) || header.Parameter is null)
        {
            return false;
        }

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter));
        }
        catch (FormatException)
        {
            return false;
        }

        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return false;
        }

        username = decoded[..colon];
        password = decoded[(colon + 1)..];
        return true;
    }

    public static string? GetBearer(HttpRequest request)
    {
        var value = request.Headers.Authorization.ToString();
        return value.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? value[7..].Trim() : null;
    }
}
