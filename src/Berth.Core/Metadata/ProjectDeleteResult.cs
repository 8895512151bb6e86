namespace Berth.Core.Metadata;

public enum ProjectDeleteResult
{
    /// <summary>The project is gone: its name is free and its memberships are removed.</summary>
    Deleted,

    /// <summary>The project still has registries (deleted ones being purged do not count); nothing changed.</summary>
    HasRegistries,

    /// <summary>The project no longer exists.</summary>
    ProjectGone,
}
