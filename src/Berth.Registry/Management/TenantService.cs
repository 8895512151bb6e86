using Berth.Registry.Auditing;
using Berth.Core.Metadata;
using Berth.Core.Tenancy;
using Berth.Registry.Hosting;

namespace Berth.Registry.Management;

/// <summary>Creating projects and registries: names checked, ids and the first password generated, hash stored.</summary>
public sealed class TenantService(ITenantStore tenants, IUserStore users, ProjectAudit audit, TimeProvider time, IOptions<BerthOptions> options)
{
    /// <summary>Creates a project owned by its creator (<paramref name="creatorUserId"/>); audited as <c>project.created</c>.</summary>
    public async Task<ProjectRecord> CreateProjectAsync(string name, string creatorUserId, AuditActor actor, CancellationToken cancellationToken)
    {
        var project = await InsertProjectAsync(name, cancellationToken);
        await users.SetMembershipAsync(project.Id, creatorUserId, ProjectRole.Owner, cancellationToken);
        await audit.AppendAsync(project, actor, "project.created", null, CancellationToken.None);
        return project;
    }

    private async Task<ProjectRecord> InsertProjectAsync(string name, CancellationToken cancellationToken)
    {
        if (!TenantNames.IsValidProjectName(name))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid project name", $"'{name}' is not a valid project name: {TenantNames.Rule}.");
        }

        try
        {
            return await tenants.CreateProjectAsync(Secrets.NewId(), name, time.GetUtcNow(), cancellationToken);
        }
        catch (MetadataConflictException)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Project exists", $"A project named '{name}' already exists.");
        }
    }

    /// <summary>Creates a registry and returns it with its password, which is never available again.</summary>
    public async Task<(RegistryRecord Registry, string Password)> CreateRegistryAsync(ProjectRecord project, string name, CancellationToken cancellationToken)
    {
        if (!TenantNames.IsValidRegistryName(name))
        {
            throw new ManagementException(StatusCodes.Status400BadRequest, "Invalid registry name", $"'{name}' is not a valid registry name: {TenantNames.Rule}.");
        }

        var password = Secrets.NewPassword();
        var registry = new NewRegistry(Secrets.NewId(), name, project.Id, PasswordHasher.Hash(password, PasswordHasher.GeneratedPasswordIterations),
            options.Value.Registries.DefaultStorageLimitBytes, time.GetUtcNow());
        try
        {
            return (await tenants.CreateRegistryAsync(registry, cancellationToken), password);
        }
        catch (MetadataConflictException)
        {
            throw new ManagementException(StatusCodes.Status409Conflict, "Registry exists", $"A registry named '{name}' already exists.");
        }
    }
}
