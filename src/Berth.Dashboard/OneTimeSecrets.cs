using Microsoft.AspNetCore.Mvc.ViewFeatures;

namespace Berth.Dashboard;

/// <summary>
/// Secrets shown once (a new registry's password, a reset password, a pull secret) on their way from the POST that
/// made them to the GET it redirects to: in TempData, an HttpOnly, SameSite=Strict cookie encrypted with the shared
/// key ring. Reading one removes it, so a reload of that GET finds nothing and says the secret was shown once.
/// Keys name the registry, so a secret is only ever shown on its own registry's page.
/// </summary>
public static class OneTimeSecrets
{
    public static void Put(ITempDataDictionary tempData, string kind, string registry, string value) => tempData[Key(kind, registry)] = value;

    /// <summary>The value, removed from TempData when this request ends; null when it was already shown.</summary>
    public static string? Take(ITempDataDictionary tempData, string kind, string registry) => tempData[Key(kind, registry)] as string;

    private static string Key(string kind, string registry) => $"once:{kind}:{registry}";
}
