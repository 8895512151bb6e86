using Berth.Core.Metadata;

namespace Berth.Registry.Management;

/// <summary>
/// Adding, changing and removing a project's members, for the management API and the dashboard alike: each change is
/// written to the audit log (<c>project.member.set</c>, <c>project.member.removed</c>). The caller checks that the
/// actor owns the project.
/// </summary>
public sealed class ProjectMembers(IUserStore users, ProjectAudit audit)
{
    /// <summary>Gives <paramref name="username"/> the role in the project (adds them, or changes their role).</summary>
    public async Task<UserRecord> SetAsync(ProjectRecord project, string username, ProjectRole role, AuditActor actor, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(username, cancellationToken)
            ?? throw new ManagementException(StatusCodes.Status404NotFound, "User not found", $"There is no user named '{username}'.");
        await users.SetMembershipAsync(project.Id, user.Id, role, cancellationToken);
        await audit.AppendAsync(project, actor, "project.member.set", $"{user.Username}: {role.ToString().ToLowerInvariant()}", CancellationToken.None);
        return user;
    }

    public async Task RemoveAsync(ProjectRecord project, string username, AuditActor actor, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(username, cancellationToken);
        if (user is null || !await users.RemoveMembershipAsync(project.Id, user.Id, cancellationToken))
        {
            throw new ManagementException(StatusCodes.Status404NotFound, "Member not found", $"'{username}' is not a member of project '{project.Name}'.");
        }

        await audit.AppendAsync(project, actor, "project.member.removed", user.Username, CancellationToken.None);
    }
}
