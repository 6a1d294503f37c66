#!/bin/sh
# /init of the COLO test guest (busybox).  Kernel command line options:
#   guest_ip=A.B.C.D/NN  (default 10.0.0.10/24)   disk_rate=OPS_PER_SECOND
#   churn=N  (default 0): N times a second, copy a program to a new file,
#            run it and delete it, so that code keeps landing on new pages
#   mem_set=MIB mem_rate=MIB_PER_S  (default 0 0): memdirty dirties MIB of
#            RAM at that rate (both must be set)
# Prints "GUEST ..." markers on the console; the tools print their own.
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

ip=10.0.0.10/24
rate=20
churn=0
mem_set=0
mem_rate=0
for opt in $(cat /proc/cmdline); do
    case $opt in
        guest_ip=*) ip=${opt#guest_ip=} ;;
        disk_rate=*) rate=${opt#disk_rate=} ;;
        churn=*) churn=${opt#churn=} ;;
        mem_set=*) mem_set=${opt#mem_set=} ;;
        mem_rate=*) mem_rate=${opt#mem_rate=} ;;
    esac
done

echo "GUEST INIT kernel $(uname -r)"
for m in $(cat /etc/modules-order); do
    insmod /lib/modules/$m.ko || echo "GUEST ERROR insmod $m"
done

n=0
while [ ! -b /dev/sda ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
[ -b /dev/sda ] || echo "GUEST ERROR no /dev/sda"

ip link set lo up
ip addr add "$ip" dev eth0
ip link set eth0 up
echo "GUEST NET eth0 $ip $(cat /sys/class/net/eth0/address)"

echod 7 &
randhttpd 80 &
disktest /dev/sda "$rate" &
if [ "$mem_set" != 0 ] || [ "$mem_rate" != 0 ]; then
    memdirty "$mem_set" "$mem_rate" &
fi
if [ "$churn" -gt 0 ]; then
    (
        i=0
        while true; do
            d=/tmp/churn$i
            mkdir $d
            cp /bin/busybox /bin/disktest $d/
            $d/busybox sha1sum /init > /dev/null
            $d/disktest 2> /dev/null
            rm -rf $d
            i=$((i + 1))
            [ $((i % (churn * 10))) = 0 ] && echo "GUEST CHURN $i rounds"
            usleep $((1000000 / churn))
        done
    ) &
fi
sleep 1
echo "GUEST READY"

while true; do
    sleep 10
    echo "GUEST ALIVE uptime $(cut -d' ' -f1 /proc/uptime)"
done
