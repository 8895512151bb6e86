namespace Berth.Registry.Auth;

/// <summary>Actions on a repository, as named in Docker token scopes.</summary>
[Flags]
public enum RepositoryActions
{
    None = 0,
    Pull = 1,
    Push = 2,
    Delete = 4,
    All = Pull | Push | Delete,
}
