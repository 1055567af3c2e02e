/work/main/tools/zwatch/zwproc.o: /work/main/tools/zwatch/zwproc.c \
 /work/main/tools/zwatch/../../uapi/linux/zwatch.h \
 /work/main/tools/zwatch/zwproc.h
/work/main/tools/zwatch/../../uapi/linux/zwatch.h:
/work/main/tools/zwatch/zwproc.h:
