# Runs in the guest: load the smoke module with a planted kernel warning.
# The guest itself succeeds; the VM runner must turn the warning into 125.
#   warn-guest.sh MODULE.ko
insmod "/host$1" plant_warning=1
echo "planted"
