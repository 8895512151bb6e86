using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Distribution;
using Berth.Registry.Management;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.RazorPages;

namespace Berth.Dashboard.Pages.Registries;

/// <summary>
/// An imagePullSecret for the registry. The server never keeps a password, so the owner types the current one (checked
/// against the stored hash) or asks for a reset, whose new password is shown once and embedded.
/// </summary>
public sealed class KubernetesModel(ProjectAccess access, ITenantStore tenants, IArtifactStore artifacts,
    RegistryAddressing addressing, RegistryLifecycle lifecycle) : PageModel
{
    public RegistrySummary Summary { get; private set; } = null!;

    [BindProperty]
    public string Namespace { get; set; } = "default";

    [BindProperty]
    public string SecretName { get; set; } = "";

    [BindProperty]
    public string? Password { get; set; }

    [BindProperty]
    public bool ResetPassword { get; set; }

    public string? Error { get; private set; }

    public string? Yaml { get; private set; }

    public string? Snippet { get; private set; }

    public Credentials? Reset { get; private set; }

    public async Task OnGetAsync(string name)
    {
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, HttpContext.RequestAborted);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, HttpContext.RequestAborted);
        SecretName = $"{registry.Name}-pull";
    }

    public async Task OnPostAsync(string name)
    {
        var ct = HttpContext.RequestAborted;
        var (registry, _) = await access.RequireRegistryAsync(User, name, ProjectRole.Owner, ct);
        Summary = await RegistrySummary.LoadAsync(registry, artifacts, addressing, Request, ct);
        Namespace = Namespace.Trim();
        SecretName = SecretName.Trim();
        string password;
        if (!KubernetesSecret.IsValidNamespace(Namespace) || !KubernetesSecret.IsValidName(SecretName))
        {
            Error = "The namespace must be an RFC 1123 label and the secret name an RFC 1123 subdomain: lowercase letters, digits, '-' (and '.' in the name).";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        if (ResetPassword)
        {
            password = await lifecycle.ResetPasswordAsync(registry, AuditActor.From(HttpContext), ct);
            Reset = new Credentials(Summary.LoginHost, Summary.Endpoint, registry.Name, password);
        }
        else if (string.IsNullOrEmpty(Password))
        {
            Error = "Enter the registry's current password, or tick the box to reset it and embed the new one.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        else if (await tenants.GetCredentialAsync(registry.Name, ct) is not { } credential || !PasswordHasher.Verify(Password, credential.PasswordHash))
        {
            Error = $"That is not the current password of {registry.Name}. Check it, or tick the box to reset the password and embed the new one.";
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }
        else
        {
            password = Password;
        }

        Response.Headers.CacheControl = "no-store";
        Yaml = KubernetesSecret.Yaml(Namespace, SecretName, Summary.LoginHost, registry.Name, password);
        Snippet = KubernetesSecret.ImagePullSecretsSnippet(SecretName);
    }
}
