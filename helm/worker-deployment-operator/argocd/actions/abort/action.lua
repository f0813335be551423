-- Argo CD resource action "abort" for cfworkers.io/WorkerDeployment:
-- abort the rollout: back to the stable version at 100%.
-- Sets the annotation cfworkers.io/abort to a new value (the current UTC time);
-- the operator handles each new value once. Nothing else in the resource changes.
local os = require("os")
local key = "cfworkers.io/abort"
if obj.metadata.annotations == nil then
  obj.metadata.annotations = {}
end
local value = os.date("!%Y-%m-%dT%H:%M:%SZ")
-- A second request within the same second must still be a new value.
if obj.metadata.annotations[key] == value then
  value = value .. "-1"
end
obj.metadata.annotations[key] = value
return obj
