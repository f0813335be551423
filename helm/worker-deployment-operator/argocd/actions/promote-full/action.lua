-- Argo CD resource action "promote-full" for cfworkers.io/WorkerDeployment:
-- go to 100% now, skipping the remaining steps and pauses.
-- Sets the annotation cfworkers.io/promote-full to a new value (the current UTC time);
-- the operator handles each new value once. Nothing else in the resource changes.
local os = require("os")
local key = "cfworkers.io/promote-full"
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
