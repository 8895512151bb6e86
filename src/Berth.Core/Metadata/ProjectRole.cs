namespace Berth.Core.Metadata;

/// <summary>What a member may do in a project. Ordered: each role includes the ones below it.</summary>
public enum ProjectRole
{
    /// <summary>Browse the project's registries, repositories and scan data.</summary>
    Viewer = 1,

    /// <summary>Also push and pull through their own access tokens.</summary>
    Developer = 2,

    /// <summary>Also create, resize, reset the password of and delete registries, and manage members.</summary>
    Owner = 3,
}
