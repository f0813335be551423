-- Argo CD resource actions for cfworkers.io/WorkerDeployment: which requests make sense now.
-- Install it with the action scripts in argocd-cm, under the key
-- resource.customizations.actions.cfworkers.io_WorkerDeployment. Each action sets an annotation to
-- a new value; the operator handles each new value once and records it in
-- status.rollout.lastHandled*. An action is enabled by the rollout's phase:
--
--   promote       Paused (a timed pause or waiting for a promote): end the current pause
--   promote-full  Progressing or Paused: go to 100% now
--   abort         Progressing or Paused: back to the stable version at 100%
--   retry         Aborted: restart the rollout at step 1
--
-- Without spec.rollout every action is disabled: a rollout status left behind says nothing.

local actions = {}
actions["promote"] = {
  ["disabled"] = true,
  ["iconClass"] = "fa fa-fw fa-forward",
  ["displayName"] = "Promote (end this pause)"
}
actions["promote-full"] = {
  ["disabled"] = true,
  ["iconClass"] = "fa fa-fw fa-fast-forward",
  ["displayName"] = "Promote to 100%"
}
actions["abort"] = {
  ["disabled"] = true,
  ["iconClass"] = "fa fa-fw fa-undo",
  ["displayName"] = "Abort (back to stable)"
}
actions["retry"] = {
  ["disabled"] = true,
  ["iconClass"] = "fa fa-fw fa-redo",
  ["displayName"] = "Retry rollout"
}

local phase = nil
local spec = obj.spec or {}
local status = obj.status or {}
if spec.rollout ~= nil and status.rollout ~= nil then
  phase = status.rollout.phase
end

if phase == "Paused" then
  actions["promote"]["disabled"] = false
end
if phase == "Progressing" or phase == "Paused" then
  actions["promote-full"]["disabled"] = false
  actions["abort"]["disabled"] = false
end
if phase == "Aborted" then
  actions["retry"]["disabled"] = false
end

return actions
