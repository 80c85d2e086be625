"""The sandbox: runs learner code in layers of isolation (bubblewrap namespaces, cgroups,
rlimits), the strongest this machine allows, and says which layers are in force."""
